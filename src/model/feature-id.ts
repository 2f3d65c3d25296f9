/**
 * Feature ids: `<family>.<name>`, the keys of CapabilityMap.features. A
 * literal id in the code is checked by the compiler against these families.
 */
export const FEATURE_FAMILIES = [
  'attr', 'read_format', 'sample_type', 'branch_sample_type', 'open_flags',
  'ioctl', 'event', 'pmu', 'mmap', 'access', 'combo', 'behaviour',
] as const;

export type FeatureFamily = typeof FEATURE_FAMILIES[number];

export type FeatureId = `${FeatureFamily}.${string}`;

/** True when `id` has a known family prefix and a name after it. */
export function isFeatureId(id: string): id is FeatureId {
  if (typeof id !== 'string') return false;
  const dot = id.indexOf('.');
  return dot > 0 && dot < id.length - 1 && (FEATURE_FAMILIES as readonly string[]).includes(id.slice(0, dot));
}
