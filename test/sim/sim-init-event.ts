/**
 * perf_init_event on the simulated kernel: the PMU for attr.type (software,
 * tracepoint, breakpoint, a core PMU by the generic types, its own type or
 * the extended type in config's upper half, or an extra PMU) and what it
 * accepts or refuses (ENOENT for an event it does not have, EINVAL for a
 * config it cannot decode, EOPNOTSUPP for what it cannot do), with the
 * vendor driver rules of sim-drivers.ts and sim-pmu-rules.ts.
 */
import {
  DecodedAttr, PERF_TYPE, SW_EVENTS, HW_EVENTS, HW_CACHE_IDS, HW_CACHE_OPS, HW_CACHE_RESULTS, PERF_SAMPLE, HW_BREAKPOINT,
} from '../../src/abi';
import { DEFAULT_HW_CACHE, corePmus, Persona, PersonaPmu } from './persona';
import { branchStackRefusal } from './sim-drivers';
import type { EventKind } from './sim-event';
import { pmuRuleRefusal } from './sim-pmu-rules';
import { big } from './sim-attr';
import { fail } from './sim-errors';
import { allowKernel } from './sim-permissions';

/**
 * arm64 user-space counter access (__armv8_pmuv3_map_event): config1:rdpmc
 * needs an event on a task (EINVAL for a CPU-wide one), and a 64-bit one
 * needs long counters unless it is the cycles event (EOPNOTSUPP).
 */
function userReadOf(core: PersonaPmu, attr: DecodedAttr, pid: number, eventName: string): boolean {
  if (!core.userRead) return false;
  const bit = (big(attr.config1) >> BigInt(core.userRead.config1Bit)) & 1n;
  if (bit === 0n) return false;
  if (pid === -1) fail('EINVAL');
  const wide = core.wide !== undefined && ((big(attr.config1) >> BigInt(core.wide.config1Bit)) & 1n) === 1n;
  const dedicated = (core.dedicated ?? []).some((c) => c.events.includes(eventName));
  if (wide && core.wide!.chained && !dedicated) fail('EOPNOTSUPP');
  return true;
}

/** perf_init_event: find the PMU for attr.type and let it accept or refuse the event. */
export function initEvent(p: Persona, attr: DecodedAttr, pid: number, cpu = -1): { kind: EventKind; eventName: string; pmu: string; userRead?: boolean } {
  const type = Number(attr.type);
  const config = big(attr.config);
  const sampleType = big(attr.sample_type);
  const branch = (sampleType & PERF_SAMPLE.BRANCH_STACK!) !== 0n;
  const cores = corePmus(p);
  let core: PersonaPmu | undefined = cores.find((c) => c.type === type) ?? cores[0];
  const anyExclude = attr.exclude_user === 1 || attr.exclude_kernel === 1 || attr.exclude_hv === 1
    || attr.exclude_idle === 1 || attr.exclude_host === 1 || attr.exclude_guest === 1;

  if (type === PERF_TYPE.SOFTWARE) {
    const ev = SW_EVENTS.find((e) => BigInt(e.value) === config);
    if (!ev || !p.features.has(`event.software.${ev.name}`)) fail('ENOENT');
    if (branch) fail('EOPNOTSUPP');
    return { kind: 'software', eventName: ev.name, pmu: 'software' };
  }
  if (type === PERF_TYPE.TRACEPOINT) {
    if (!p.features.has('event.tracepoint')) fail('ENOENT');
    if (branch) fail('EOPNOTSUPP');
    const tp = (p.tracepoints ?? []).find((t) => BigInt(t.id) === config);
    if (!tp) fail('EINVAL');
    if ((sampleType & PERF_SAMPLE.RAW!) && p.paranoid > -1 && !p.caps.sysAdmin) fail('EPERM');
    return { kind: 'tracepoint', eventName: tp.name, pmu: 'tracepoint' };
  }
  if (type === PERF_TYPE.BREAKPOINT) {
    if (!p.features.has('event.breakpoint')) fail('ENOENT');
    if (branch) fail('EOPNOTSUPP');
    const bpType = Number(attr.bp_type ?? 0);
    const len = Number(big(attr.config2));
    if (![HW_BREAKPOINT.R, HW_BREAKPOINT.W, HW_BREAKPOINT.RW, HW_BREAKPOINT.X].includes(bpType as 1)) fail('EINVAL');
    if (bpType === HW_BREAKPOINT.X ? len !== 8 : ![1, 2, 4, 8].includes(len)) fail('EINVAL');
    const addr = big(attr.config1);
    if (addr >= 0xffff800000000000n) {
      if (attr.exclude_kernel === 1) fail('EINVAL');
      if (!p.caps.sysAdmin) fail('EPERM');
    }
    return { kind: 'breakpoint', eventName: 'breakpoint', pmu: 'breakpoint' };
  }
  if (type === PERF_TYPE.HARDWARE || type === PERF_TYPE.HW_CACHE || type === PERF_TYPE.RAW || cores.some((c) => c.type === type)) {
    if (type === PERF_TYPE.HARDWARE || type === PERF_TYPE.HW_CACHE) {
      const ext = Number(config >> 32n);
      if (ext !== 0) {
        // Before 5.13 the whole config indexes the event table: out of range.
        if (!p.features.has('event.extended_type')) fail(core ? 'EINVAL' : 'ENOENT');
        core = cores.find((c) => c.type === ext);
        if (!core) fail('ENOENT');
      }
    }
    // armpmu_event_init: ENOENT for a CPU the PMU does not serve; a generic or raw type without a PMU named goes on to the next PMU (perf_init_event).
    if (core && cpu !== -1 && core.cpus && !core.cpus.includes(cpu)) {
      const walks = !cores.some((c) => c.type === type) && ((config >> 32n) === 0n || type === PERF_TYPE.RAW);
      core = walks ? cores.find((c) => !c.cpus || c.cpus.includes(cpu)) : undefined;
    }
    if (!core) fail('ENOENT');
    if (type === PERF_TYPE.HARDWARE) {
      const low = Number(config & 0xffffffffn);
      const ev = HW_EVENTS.find((e) => e.value === low);
      if (!ev || !p.features.has(`event.hardware.${ev.name}`)) fail(ev ? 'ENOENT' : 'EINVAL');
      const userRead = userReadOf(core, attr, pid, ev.name);
      if (!(core.hardwareEvents ?? HW_EVENTS.map((e) => e.name)).includes(ev.name)) fail('ENOENT');
      checkCoreAttr(p, core, attr, branch);
      return { kind: 'hardware', eventName: ev.name, pmu: core.name, userRead };
    }
    if (type === PERF_TYPE.HW_CACHE) {
      const id = Number(config & 0xffn), op = Number((config >> 8n) & 0xffn), res = Number((config >> 16n) & 0xffn);
      if (((config >> 24n) & 0xffn) !== 0n) fail('EINVAL');
      const c = HW_CACHE_IDS.find((x) => x.value === id);
      const o = HW_CACHE_OPS.find((x) => x.value === op);
      const r = HW_CACHE_RESULTS.find((x) => x.value === res);
      if (!c || !o || !r) fail('EINVAL');
      const name = `${c.name}.${o.name}.${r.name}`;
      const userRead = userReadOf(core, attr, pid, name);
      if (!(core.hwCache ?? DEFAULT_HW_CACHE).includes(name)) fail('ENOENT');
      checkCoreAttr(p, core, attr, branch);
      return { kind: 'hw_cache', eventName: name, pmu: core.name, userRead };
    }
    const rawName = `r${config.toString(16)}`;
    const userRead = userReadOf(core, attr, pid, rawName);
    checkCoreAttr(p, core, attr, branch);
    return { kind: 'raw', eventName: rawName, pmu: core.name, userRead };
  }
  const extra = p.extraPmus.find((x) => x.type === type);
  if (extra) {
    const name = Object.entries(extra.events).find(([, v]) => BigInt(v) === config)?.[0];
    if (name === undefined && !extra.aux) fail('EINVAL'); // an AUX PMU takes its config bits as terms
    if (big(attr.sample_period) !== 0n || branch) fail('EINVAL');
    if (anyExclude && !extra.aux && p.features.has('check.pmu_no_exclude')) fail('EINVAL');
    return { kind: 'pmu', eventName: name ?? extra.name, pmu: extra.name };
  }
  // perf_init_event: every PMU is asked in turn; the first answer that is not ENOENT ends the walk.
  fail(p.quirks.foreignTypeErrno ?? 'ENOENT');
}

/** What the core PMU itself refuses (x86_pmu_hw_config and friends). */
function checkCoreAttr(p: Persona, core: PersonaPmu, attr: DecodedAttr, branch: boolean): void {
  const ruled = pmuRuleRefusal(core.rules, attr);
  if (ruled) fail(ruled);
  if (Number(attr.precise_ip ?? 0) > core.maxPrecise) fail('EOPNOTSUPP');
  // armv8pmu_set_event_filter refuses exclude_idle; __hw_perf_event_init turns that into EOPNOTSUPP.
  if (core.refusesExcludeIdle && attr.exclude_idle === 1) fail('EOPNOTSUPP');
  if (branch) {
    if (!core.branchStack) fail('EOPNOTSUPP');
    const driverErr = branchStackRefusal(core.driver, attr, Number(attr.type) === PERF_TYPE.RAW || Number(attr.type) === core.type ? big(attr.config) : undefined);
    if (driverErr) fail(driverErr);
    const bst = big(attr.branch_sample_type);
    // Kernel branches are asked for explicitly, or implied when no privilege bit is set.
    const kernelBranches = (bst & 0x2n) !== 0n || ((bst & 0x7n) === 0n && attr.exclude_kernel !== 1);
    if (kernelBranches && !allowKernel(p)) fail('EACCES');
  }
}
