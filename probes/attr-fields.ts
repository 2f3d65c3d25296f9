/**
 * Every attr field added after PERF_ATTR_SIZE_VER0: a harmless non-zero value
 * on a base that ignores or accepts it. A field past the kernel's attr size is
 * refused with E2BIG ("beyond attr size N"); a field the kernel reads but that
 * needs hardware here (aux_sample_size needs an AUX PMU) is cross-checked on an
 * unregistered PMU type.
 */
import { ATTR_FIELDS } from '../src/abi/attr-layout';
import { PERF_SAMPLE } from '../src/abi/constants';
import type { AttrInput } from '../src/abi/attr-codec';
import type { BaseName, ProbeContext, ProbeDeclaration } from '../src/probe/declaration';
import { errnoName } from '../src/abi/errno';
import { isErr } from '../src/sys/kernel';
import type { FeatureEntry } from '../src/model/capability-map';
import { auxHook } from './aux-family';
import { abiDescription } from './describe';

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
  sample_regs_user: { base: 'sampling', set: { sample_type: PERF_SAMPLE.REGS_USER!, sample_regs_user: 1 } },
  sample_stack_user: { base: 'sampling', set: { sample_type: PERF_SAMPLE.STACK_USER!, sample_stack_user: 8 } },
  clockid: { base: 'counting', set: { use_clockid: 1, clockid: 1 } },
  sample_regs_intr: { base: 'sampling', set: { sample_type: PERF_SAMPLE.REGS_INTR!, sample_regs_intr: 1 } },
  aux_watermark: { base: 'counting', set: { aux_watermark: 4096 } },
  sample_max_stack: { base: 'sampling', set: { sample_type: PERF_SAMPLE.CALLCHAIN!, sample_max_stack: 16 } },
  aux_sample_size: { base: 'sampling', set: { sample_type: PERF_SAMPLE.AUX!, aux_sample_size: 4096 }, note: 'a non-zero aux_sample_size needs a group led by an AUX PMU event' },
  sig_data: { base: 'counting', set: { sig_data: 1 } },
  config3: { base: 'counting', set: { config3: 1 } },
  config4: { base: 'counting', set: { config4: 1 } },
};

/**
 * sample_max_stack sat in bytes that kernels before 4.8 never checked, so a
 * value there opens everywhere. A kernel that reads it refuses a depth above
 * kernel.perf_event_max_stack (EOVERFLOW from the callchain buffers); one that
 * ignores it opens — untestable then, since a raised sysctl would look the same.
 */
function sampleMaxStackHook(ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry {
  return ctx.withBase(decl.base, (base, label) => {
    const ok = ctx.open({ ...base.attr, ...decl.set }, decl.target);
    if (isErr(ok)) return ctx.refused(decl, ok.errno, base, decl.set);
    ctx.close(ok.fd);
    const deep = { ...decl.set, sample_max_stack: 0xffff };
    const over = ctx.open({ ...base.attr, ...deep }, decl.target);
    const set = { sample_type: 'callchain', sample_max_stack: 16 };
    if (isErr(over)) {
      return { status: 'supported', base: label, set, measured: { depth65535: errnoName(over.errno) } };
    }
    ctx.close(over.fd);
    // Either the kernel ignores the field (before 4.8) or kernel.perf_event_max_stack
    // is raised to 65535: not proof enough for "unsupported", never "supported".
    return {
      status: 'untestable', base: label, set, measured: { depth65535: 'opened' },
      reason: 'a callchain depth of 65535 opens: the kernel ignores sample_max_stack (before 4.8), or kernel.perf_event_max_stack allows that depth',
    };
  });
}

const FIELD_FEATURES = ATTR_FIELDS.filter((f) => f.mainline !== '2.6.31' && f.name !== '__reserved_2' && f.name !== 'aux_action');

export const attrFieldProbes: ProbeDeclaration[] = FIELD_FEATURES.map((f): ProbeDeclaration => {
  const spec = FIELDS[f.name] ?? { base: 'counting', set: { [f.name]: 1 } };
  return {
    id: `attr.${f.name}`,
    description: abiDescription(`attr.${f.name}`),
    base: spec.base,
    set: spec.set,
    oracle: true,
    whenKnown: 'no-hardware',
    ...(f.name === 'sample_max_stack' ? { hook: sampleMaxStackHook } : {}),
    // A member sampling AUX data of a group led by the AUX PMU's event, where there is one (aux-family.ts).
    ...(f.name === 'aux_sample_size' ? { hook: auxHook('member', spec.set) } : {}),
    ...(spec.note ? { note: spec.note } : {}),
  };
});
