/**
 * The feature ids of the ABI tables: one per attr flag bit, aux_action bit,
 * attr field added after VER0, read_format bit, sample_type bit,
 * branch_sample_type bit, open flag and ioctl, plus attr.size. The probe
 * catalogue must answer every one. Pure: no I/O.
 *
 * Ids are the uapi identifier lower-cased without its prefix:
 * PERF_FORMAT_LOST → read_format.lost, attr bit sigtrap → attr.sigtrap.
 */
import { ATTR_FIELDS, ATTR_FLAGS, AUX_ACTION_FLAGS } from './attr-layout';
import { BRANCH_SAMPLE_TYPE, OPEN_FLAGS, READ_FORMAT, SAMPLE_TYPE } from './constants';
import { PERF_IOCTLS } from './ioctl';

export type AbiFeatureKind =
  | 'attr.flag' | 'attr.aux_action' | 'attr.field' | 'attr.size'
  | 'read_format' | 'sample_type' | 'branch_sample_type' | 'open_flags' | 'ioctl';

export interface AbiFeature {
  readonly id: string;
  readonly kind: AbiFeatureKind;
  /** The uapi identifier (or struct member) the id names. */
  readonly uapi: string;
  readonly mainline: string;
  readonly description: string;
  /** The bit (flags, formats) or byte offset (fields) it occupies. */
  readonly bit?: number;
  readonly offset?: number;
}

/** Attr fields that are features of their own (added after PERF_ATTR_SIZE_VER0's 2.6.31). */
const FIELD_FEATURES = ATTR_FIELDS.filter(
  (f) => f.mainline !== '2.6.31' && f.name !== '__reserved_2' && f.name !== 'aux_action',
);

export const ABI_FEATURES: readonly AbiFeature[] = [
  { id: 'attr.size', kind: 'attr.size', uapi: 'perf_event_attr.size', mainline: '2.6.31', description: 'the largest perf_event_attr size the kernel accepts (bytes in value)' },
  ...ATTR_FLAGS.map((f): AbiFeature => ({ id: `attr.${f.name}`, kind: 'attr.flag', uapi: `perf_event_attr.${f.name}`, mainline: f.mainline, description: f.description, bit: f.bit })),
  ...AUX_ACTION_FLAGS.map((f): AbiFeature => ({ id: `attr.${f.name}`, kind: 'attr.aux_action', uapi: `perf_event_attr.${f.name}`, mainline: f.mainline, description: f.description, bit: f.bit })),
  ...FIELD_FEATURES.map((f): AbiFeature => ({ id: `attr.${f.name}`, kind: 'attr.field', uapi: `perf_event_attr.${f.name}`, mainline: f.mainline, description: f.description, offset: f.offset })),
  ...READ_FORMAT.map((b): AbiFeature => ({ id: `read_format.${b.name}`, kind: 'read_format', uapi: b.uapi, mainline: b.mainline, description: b.description, bit: b.bit })),
  ...SAMPLE_TYPE.map((b): AbiFeature => ({ id: `sample_type.${b.name}`, kind: 'sample_type', uapi: b.uapi, mainline: b.mainline, description: b.description, bit: b.bit })),
  ...BRANCH_SAMPLE_TYPE.map((b): AbiFeature => ({ id: `branch_sample_type.${b.name}`, kind: 'branch_sample_type', uapi: b.uapi, mainline: b.mainline, description: b.description, bit: b.bit })),
  ...OPEN_FLAGS.map((b): AbiFeature => ({ id: `open_flags.${b.name}`, kind: 'open_flags', uapi: b.uapi, mainline: b.mainline, description: b.description, bit: b.bit })),
  ...PERF_IOCTLS.map((d): AbiFeature => ({ id: `ioctl.${d.name}`, kind: 'ioctl', uapi: d.uapi, mainline: d.mainline, description: d.description })),
];

const BY_ID = new Map(ABI_FEATURES.map((f) => [f.id, f]));

export function abiFeature(id: string): AbiFeature | undefined {
  return BY_ID.get(id);
}
