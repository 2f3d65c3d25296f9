/**
 * Every attr field added after PERF_ATTR_SIZE_VER0: a harmless non-zero value
 * on a base that ignores or accepts it. A field past the kernel's attr size is
 * refused with E2BIG ("beyond attr size N"); a field the kernel reads but that
 * needs hardware here (aux_sample_size needs an AUX PMU) is cross-checked on an
 * unregistered PMU type.
 */
import { ATTR_FIELDS } from '../src/abi/attr-layout';
import type { AttrInput } from '../src/abi/attr-codec';
import type { BaseName, ProbeDeclaration } from '../src/probe/declaration';

interface FieldSpec {
  base: BaseName;
  set: AttrInput;
  note?: string;
}

const FIELDS: Readonly<Record<string, FieldSpec>> = {
  bp_type: { base: 'counting', set: { bp_type: 2 } },
  config1: { base: 'counting', set: { config1: 1 } },
  config2: { base: 'counting', set: { config2: 1 } },
  branch_sample_type: { base: 'counting', set: { branch_sample_type: 8 } },
  sample_regs_user: { base: 'sampling', set: { sample_type: 1n << 12n, sample_regs_user: 1 } },
  sample_stack_user: { base: 'sampling', set: { sample_type: 1n << 13n, sample_stack_user: 8 } },
  clockid: { base: 'counting', set: { use_clockid: 1, clockid: 1 } },
  sample_regs_intr: { base: 'sampling', set: { sample_type: 1n << 18n, sample_regs_intr: 1 } },
  aux_watermark: { base: 'counting', set: { aux_watermark: 4096 } },
  sample_max_stack: { base: 'sampling', set: { sample_type: 1n << 5n, sample_max_stack: 16 } },
  aux_sample_size: { base: 'sampling', set: { sample_type: 1n << 20n, aux_sample_size: 4096 }, note: 'a non-zero aux_sample_size needs a group led by an AUX PMU event' },
  sig_data: { base: 'counting', set: { sig_data: 1 } },
  config3: { base: 'counting', set: { config3: 1 } },
  config4: { base: 'counting', set: { config4: 1 } },
};

const FIELD_FEATURES = ATTR_FIELDS.filter((f) => f.mainline !== '2.6.31' && f.name !== '__reserved_2' && f.name !== 'aux_action');

export const attrFieldProbes: ProbeDeclaration[] = FIELD_FEATURES.map((f): ProbeDeclaration => {
  const spec = FIELDS[f.name] ?? { base: 'counting', set: { [f.name]: 1 } };
  return {
    id: `attr.${f.name}`,
    base: spec.base,
    set: spec.set,
    oracle: true,
    whenKnown: 'no-hardware',
    ...(spec.note ? { note: spec.note } : {}),
  };
});
