/**
 * Every bit of the attr flags word, each on the base it is about, with what
 * perf_copy_attr / perf_event_open need first:
 * sigtrap needs remove_on_exec, inherit_thread needs inherit, freq needs a
 * sample_freq, watermark a wakeup_watermark, use_clockid a clockid. Refusals are
 * cross-checked on an unregistered PMU type (attr validation runs before the
 * PMU lookup), so a bit this machine cannot exercise is never called unknown.
 */
import { ATTR_FLAGS } from '../src/abi/attr-layout';
import { PERF_SAMPLE } from '../src/abi/constants';
import type { AttrInput } from '../src/abi/attr-codec';
import type { BaseName, FeatureId, ProbeDeclaration } from '../src/probe/contract';
import type { FeatureStatus } from '../src/model/capability-map';
import { AUX_OUTPUT_SET, auxHook } from './aux-family';
import { abiDescription } from './describe';

interface FlagSpec {
  base?: BaseName | BaseName[];
  with?: AttrInput;
  needs?: FeatureId[];
  whenKnown?: FeatureStatus;
  note?: string;
}

const SPECIAL: Readonly<Record<string, FlagSpec>> = {
  freq: { with: { sample_freq: 10 } },
  watermark: { with: { wakeup_watermark: 4096 } },
  precise_ip: { with: { precise_ip: 1 } },
  use_clockid: { with: { clockid: 1 } },
  inherit_thread: { with: { inherit: 1 }, needs: ['attr.inherit'] },
  sigtrap: { with: { remove_on_exec: 1 }, needs: ['attr.remove_on_exec'] },
  aux_output: { base: ['hardware-sampling', 'sampling'], whenKnown: 'no-hardware', note: 'aux_output needs a group led by an AUX PMU event (combo.aux_output)' },
  defer_callchain: { base: 'sampling', with: { sample_type: PERF_SAMPLE.CALLCHAIN! } },
  defer_output: { base: 'dummy' },
  exclude_callchain_kernel: { base: 'sampling', with: { sample_type: PERF_SAMPLE.CALLCHAIN! } },
  exclude_callchain_user: { base: 'sampling', with: { sample_type: PERF_SAMPLE.CALLCHAIN! } },
  write_backward: { base: 'sampling' },
  mmap: { base: 'dummy' },
  comm: { base: 'dummy' },
  task: { base: 'dummy' },
  mmap_data: { base: 'dummy' },
  mmap2: { base: 'dummy' },
  comm_exec: { base: 'dummy', with: { comm: 1 } },
  context_switch: { base: 'dummy' },
  namespaces: { base: 'dummy' },
  ksymbol: { base: 'dummy' },
  bpf_event: { base: 'dummy' },
  cgroup: { base: 'dummy' },
  text_poke: { base: 'dummy' },
  build_id: { base: 'dummy', with: { mmap2: 1 } },
  sample_id_all: { base: 'sampling', with: { sample_type: PERF_SAMPLE.TID! } },
};

export const attrFlagProbes: ProbeDeclaration[] = ATTR_FLAGS.map((f): ProbeDeclaration => {
  const s = SPECIAL[f.name] ?? {};
  const decl: ProbeDeclaration = {
    id: `attr.${f.name}`,
    description: abiDescription(`attr.${f.name}`),
    base: s.base ?? 'counting',
    set: { ...s.with, [f.name]: (s.with?.[f.name] as number | undefined) ?? 1 },
    oracle: true,
    ...(s.needs ? { needs: s.needs } : {}),
    ...(s.whenKnown ? { whenKnown: s.whenKnown } : {}),
    ...(s.note ? { note: s.note } : {}),
    // Asked as a member of a group led by the AUX PMU's event where there is one (aux-family.ts).
    ...(f.name === 'aux_output' ? { hook: auxHook('member', AUX_OUTPUT_SET) } : {}),
  };
  return decl;
});
