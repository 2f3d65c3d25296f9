/** The model every layer above env shares: map types, feature ids, the errno table. */
export * from './capability-map';
export * from './feature-id';
export { ERRNO_CLASS, errnoClass, isTransient, isRetryable, statusOfErrno, type ErrnoClass } from './errno-class';
export { FEATURE_ALIASES, canonicalFeatureId, deprecatedIdNote, withCurrentIds } from './feature-aliases';
export { diffMaps, type MapDiff, type FeatureChange } from './map-diff';
