/**
 * Vendor PMU rules (issue 15 items 1-4, 9, 11, 13): the Intel client and
 * AMD Zen 3 personas follow the kernel functions their files name
 * (test/sim/sim-drivers.ts); the engine must ask each question the way the
 * PMU can answer it, and the shim must use what the map says. Expected
 * values come from the persona descriptions and the uapi tables.
 */
import assert from 'node:assert/strict';
import { BRANCH_SAMPLE_TYPE, CLOCK_IDS, PERF_SAMPLE, PERF_TYPE } from '../../../src/abi';
import { PerfcompatError } from '../../../src/errors';
import { getCapabilities } from '../../../src/root';
import { openEvent } from '../../../src/shim';
import { Sampler } from '../../../src/shim/sampler';
import { simulate } from '../../sim';
import { AMD_BRS_EVENT } from '../../sim/sim-drivers';

const br = (name: string): bigint => 1n << BigInt(BRANCH_SAMPLE_TYPE.find((b) => b.name === name)!.bit);
const clock = (name: string): number => CLOCK_IDS.find((c) => c.name === name)!.value;
const INTEL = 'intel-client-pt';
const ZEN3 = 'amd-zen3-brs';

describe('vendor PMU rules on personas', () => {
  describe('Intel LBR call stacks (intel_pmu_setup_sw_lbr_filter)', () => {
    it('branch_sample_type.call_stack is supported, probed as perf --call-graph lbr asks (USER|CALL_STACK)', () => {
      const e = getCapabilities(simulate(INTEL)).features['branch_sample_type.call_stack']!;
      assert.equal(e.status, 'supported', JSON.stringify(e));
      assert.equal(BigInt(e.set!.branch_sample_type!), br('user') | br('call_stack'));
    });

    it('the shim opens an LBR call-stack sampler on cycles', () => {
      const sim = simulate(INTEL);
      const ev = openEvent({ type: PERF_TYPE.HARDWARE, config: 0, sample_period: 100000, sample_type: PERF_SAMPLE.BRANCH_STACK!, branch_sample_type: br('user') | br('call_stack') }, { kernel: sim.kernel, capabilities: getCapabilities(sim) });
      ev.close();
    });

    it('the kernel still refuses CALL_STACK beside a branch type (EINVAL), so the probe must not ask that', () => {
      const sim = simulate(INTEL);
      assert.throws(() => openEvent({ type: PERF_TYPE.HARDWARE, config: 0, sample_period: 100000, sample_type: PERF_SAMPLE.BRANCH_STACK!, branch_sample_type: br('any') | br('call_stack') }, { kernel: sim.kernel, capabilities: getCapabilities(sim) }),
        /EINVAL/);
    });
  });

  describe('AMD BRS (amd_brs_hw_config, amd_brs_setup_filter)', () => {
    it('sample_type.branch_stack and branch_sample_type.any are supported, measured on retired taken branches (raw 0xc4)', () => {
      const map = getCapabilities(simulate(ZEN3));
      for (const id of ['sample_type.branch_stack', 'branch_sample_type.any']) {
        const e = map.features[id]!;
        assert.equal(e.status, 'supported', `${id}: ${JSON.stringify(e)}`);
        assert.match(e.base ?? '', /0xc4/);
      }
    });

    it('a branch filter BRS cannot apply stays no-hardware, with the BRS reason', () => {
      const e = getCapabilities(simulate(ZEN3)).features['branch_sample_type.any_call']!;
      assert.equal(e.status, 'no-hardware', JSON.stringify(e));
      assert.match(e.reason ?? '', /BRS/);
    });

    it('the shim opens a branch-stack sampler on 0xc4', () => {
      const sim = simulate(ZEN3);
      const ev = openEvent({ type: PERF_TYPE.RAW, config: AMD_BRS_EVENT, sample_period: 100000, sample_type: PERF_SAMPLE.BRANCH_STACK!, branch_sample_type: br('any') }, { kernel: sim.kernel, capabilities: getCapabilities(sim) });
      ev.close();
    });
  });

  describe('inherit with PERF_SAMPLE_READ (perf_event_alloc: needs PERF_SAMPLE_TID on 6.12+)', () => {
    const spec = { type: PERF_TYPE.SOFTWARE, config: 0, sample_period: 100000, inherit: 1, sample_type: PERF_SAMPLE.READ! | PERF_SAMPLE.IP! };
    it('6.12+: the shim adds PERF_SAMPLE_TID, as perf does, and says so', () => {
      const sim = simulate(INTEL);
      const ev = openEvent(spec, { kernel: sim.kernel, capabilities: getCapabilities(sim) });
      assert.ok((BigInt(ev.attr.sample_type ?? 0) & PERF_SAMPLE.TID!) !== 0n);
      assert.equal(ev.attr.inherit, 1);
      assert.ok(ev.adaptations.some((a) => a.featureId === 'combo.inherit_sample_read' && /sample_type.tid/.test(a.what)), JSON.stringify(ev.adaptations));
      ev.close();
    });
    it('4.13-6.11: inherit is dropped, as perf does, and said so', () => {
      const sim = simulate('mainline-6.1');
      const ev = openEvent(spec, { kernel: sim.kernel, capabilities: getCapabilities(sim) });
      assert.notEqual(ev.attr.inherit, 1);
      assert.ok(ev.adaptations.some((a) => a.featureId === 'combo.inherit_sample_read' && /inherit/.test(a.what)), JSON.stringify(ev.adaptations));
      ev.close();
    });
  });

  describe('clocks on NMI PMUs (perf_event_set_clock)', () => {
    it('combo.clockid_hardware.* is measured on the hardware PMU: monotonic yes, realtime no-hardware', () => {
      const map = getCapabilities(simulate(INTEL));
      assert.equal(map.features['combo.clockid.realtime']!.status, 'supported');
      assert.equal(map.features['combo.clockid_hardware.monotonic']!.status, 'supported');
      const rt = map.features['combo.clockid_hardware.realtime']!;
      assert.equal(rt.status, 'no-hardware', JSON.stringify(rt));
      assert.match(rt.reason ?? '', /NMI/);
    });
    it('a Sampler on cycles with CLOCK_REALTIME falls back to CLOCK_MONOTONIC (perf\'s clockid_wrong), recorded', () => {
      const sim = simulate(INTEL);
      const s = new Sampler('cycles', { clockid: 'realtime', kernel: sim.kernel, capabilities: getCapabilities(sim) });
      try {
        assert.equal(Number(s.event.attr.clockid), clock('monotonic'));
        assert.ok(s.adaptations.some((a) => a.featureId === 'combo.clockid_hardware.realtime'), JSON.stringify(s.adaptations));
      } finally { s.close(); }
    });
    it('a software Sampler keeps CLOCK_REALTIME', () => {
      const sim = simulate(INTEL);
      const s = new Sampler('cpu-clock', { clockid: 'realtime', kernel: sim.kernel, capabilities: getCapabilities(sim) });
      try { assert.equal(Number(s.event.attr.clockid), clock('realtime')); } finally { s.close(); }
    });
  });

  describe('tracepoints with exclude_kernel (perf_tp_event_match)', () => {
    it('a paranoid-2 user is told a kernel tracepoint cannot count for them, not given zeros', () => {
      const sim = simulate('mainline-6.1', { paranoid: 2, euid: 1000 });
      assert.throws(() => openEvent('sched:sched_switch', { kernel: sim.kernel, capabilities: getCapabilities(sim) }),
        (e: unknown) => e instanceof PerfcompatError && /perf_tp_event_match/.test(e.message) && /exclude_kernel/.test(e.message));
    });
    it('the same user may still open a tracepoint with exclude_kernel asked explicitly (a uprobe fires in user mode)', () => {
      const sim = simulate('mainline-6.1', { paranoid: 2, euid: 1000 });
      const ev = openEvent({ type: PERF_TYPE.TRACEPOINT, config: sim.kernel.persona.tracepoints![0]!.id, exclude_kernel: 1, exclude_hv: 1 }, { kernel: sim.kernel, capabilities: getCapabilities(sim) });
      ev.close();
    });
    it('root counts it as asked', () => {
      const sim = simulate('mainline-6.1');
      const ev = openEvent('sched:sched_switch', { kernel: sim.kernel, capabilities: getCapabilities(sim) });
      assert.notEqual(ev.attr.exclude_kernel, 1);
      ev.close();
    });
  });

  describe('Intel PT and the AUX family', () => {
    it('combo.aux_output is no-hardware without PEBS-via-PT (probed with precise_ip)', () => {
      const e = getCapabilities(simulate(INTEL)).features['combo.aux_output']!;
      assert.equal(e.status, 'no-hardware', JSON.stringify(e));
    });
    it('combo.aux_output and attr.aux_output are supported where the core PMU has PEBS-via-PT', () => {
      const sim = simulate(INTEL);
      const pmu = { ...sim.kernel.persona.pmu!, driver: { lbr: { callStack: true }, intel: { pebsViaPt: true } } };
      const map = getCapabilities(simulate(INTEL, { pmu }));
      for (const id of ['combo.aux_output', 'attr.aux_output']) assert.equal(map.features[id]!.status, 'supported', `${id}: ${JSON.stringify(map.features[id])}`);
      assert.equal(map.features['combo.aux_output']!.set?.precise_ip, 1);
    });
    it('attr.aux_sample_size is supported in a group led by intel_pt', () => {
      const e = getCapabilities(simulate(INTEL)).features['attr.aux_sample_size']!;
      assert.equal(e.status, 'supported', JSON.stringify(e));
      assert.match(e.base ?? '', /intel_pt/);
    });
    it('aux_start_paused / aux_pause / aux_resume are supported on an intel_pt with PERF_PMU_CAP_AUX_PAUSE', () => {
      const map = getCapabilities(simulate(INTEL, { base: '6.18', extraPmus: [{ name: 'intel_pt', type: 8, events: {}, aux: { pause: true, snapshot: true } }] }));
      for (const id of ['attr.aux_start_paused', 'attr.aux_pause', 'attr.aux_resume']) assert.equal(map.features[id]!.status, 'supported', `${id}: ${JSON.stringify(map.features[id])}`);
    });
    it('the shim opens an AUX-sampling member in a group led by intel_pt', () => {
      const sim = simulate(INTEL);
      const map = getCapabilities(sim);
      const pt = sim.environment.pmus.find((p) => p.name === 'intel_pt')!;
      const leader = openEvent({ type: pt.type, config: 0 }, { kernel: sim.kernel, capabilities: map });
      try {
        const member = openEvent({ type: PERF_TYPE.HARDWARE, config: 0, sample_period: 100000, sample_type: PERF_SAMPLE.AUX!, aux_sample_size: 4096 }, { kernel: sim.kernel, capabilities: map, group: leader });
        member.close();
      } finally { leader.close(); }
    });
    it('without an AUX PMU the family is no-hardware with that reason, never unsupported', () => {
      const map = getCapabilities(simulate('mainline-6.18'));
      for (const id of ['attr.aux_output', 'attr.aux_sample_size', 'attr.aux_start_paused', 'attr.aux_pause', 'attr.aux_resume', 'combo.aux_output']) {
        const e = map.features[id]!;
        assert.equal(e.status, 'no-hardware', `${id}: ${JSON.stringify(e)}`);
        assert.match(e.reason ?? '', /AUX/);
      }
    });
  });
});
