import { PersonaSpec } from '../persona';

/**
 * 6.1 with an out-of-tree vendor PMU driver whose event_init answers
 * EOPNOTSUPP for every attr.type it does not own, instead of ENOENT.
 * perf_init_event (kernel/events/core.c) tries the PMUs of an unregistered
 * type one after another and stops at the first answer that is not ENOENT,
 * so such a type gets EOPNOTSUPP for a plain, valid attr — and the engine's
 * unregistered-type cross-check can no longer tell known bits from unknown
 * ones (issue 15, item 17). Attr validation (perf_copy_attr, the flags
 * check) still runs first: a reserved flag bit is EINVAL as everywhere.
 */
const persona: PersonaSpec = {
  name: 'vendor-foreign-type',
  description: '6.1 with a vendor PMU driver answering EOPNOTSUPP for foreign types (no unregistered-type cross-check)',
  release: '6.1.0-vendor',
  base: '6.1',
  extraPmus: [{ name: 'vendor_npu', type: 12, events: { busy: 1 } }],
  quirks: { foreignTypeErrno: 'EOPNOTSUPP' },
};
export default persona;
