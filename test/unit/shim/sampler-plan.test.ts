/**
 * planSampler decides what the Sampler opens: on the same simulated kernel
 * and map it gives the choices a Sampler actually took (attr as opened,
 * ring direction, clock, adaptations, errors).
 */
import assert from 'node:assert/strict';
import { PERF_TYPE } from '../../../src/abi/constants';
import { PerfcompatError } from '../../../src/errors';
import type { CapabilityMap, FeatureEntry } from '../../../src/model/capability-map';
import { Sampler, type SamplerOptions } from '../../../src/shim/sampler';
import { planSampler } from '../../../src/shim/sampler-plan';
import { simulate } from '../../sim';

const CPU_CLOCK = { type: PERF_TYPE.SOFTWARE, config: 0, name: 'cpu-clock' };
const CONTEXT_SWITCHES = { type: PERF_TYPE.SOFTWARE, config: 3, name: 'context-switches' };

function mapWith(env: CapabilityMap['environment'], features: Record<string, FeatureEntry>): CapabilityMap {
  return {
    schema: 'perfcompat/capabilities@1', engineVersion: 'test', environment: env, features,
    kernel: { release: 'sim', version: 'sim', machine: 'x86_64', semver: null }, durationMs: 0, createdAt: '', source: 'probe',
  };
}

interface Case {
  persona: string;
  features: Record<string, FeatureEntry>;
  spec: typeof CPU_CLOCK;
  options: SamplerOptions;
}

const CASES: Case[] = [
  { persona: 'mainline-6.18', features: {}, spec: CPU_CLOCK, options: { period: 1_000_000n, pages: 4 } },
  { persona: 'mainline-6.18', features: {}, spec: CPU_CLOCK, options: { sampleType: ['ip', 'time'], callchain: { maxStack: 8, excludeKernel: true }, pages: 1, wakeupEvents: 3 } },
  { persona: 'mainline-6.18', features: {}, spec: CONTEXT_SWITCHES, options: { frequency: 100, pages: 2, clockid: 'boottime', sideband: { mmap: true, comm: true, task: true, contextSwitch: true } } },
  { persona: 'mainline-6.18', features: {}, spec: CPU_CLOCK, options: { backward: true, pages: 2, clockid: null, watermark: 512 } },
  { persona: 'mainline-3.10', features: {}, spec: CPU_CLOCK, options: { period: 1_000_000n, pages: 1 } },
  { persona: 'mainline-3.10', features: { 'attr.use_clockid': { status: 'unsupported', errno: 22, errnoName: 'EINVAL' } }, spec: CPU_CLOCK, options: { pages: 1 } },
  { persona: 'mainline-4.1', features: { 'attr.write_backward': { status: 'unsupported', errno: 22, errnoName: 'EINVAL' } }, spec: CPU_CLOCK, options: { backward: true, pages: 1, clockid: null } },
];

describe('shim/planSampler on simulated maps', () => {
  for (const c of CASES) {
    it(`${c.persona} ${JSON.stringify(c.features)} ${c.spec.name} ${JSON.stringify(c.options, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}: the choices the Sampler takes`, () => {
      const sim = simulate(c.persona);
      const map = mapWith(sim.environment, c.features);
      const plan = planSampler(c.spec, { ...c.options, kernel: sim.kernel }, map);
      assert.equal(sim.kernel.calls.filter((x) => x.call === 'perf_event_open').length, 0, 'planning opens nothing');
      const s = new Sampler(c.spec, { ...c.options, kernel: sim.kernel, capabilities: map });
      try {
        assert.equal(s.backward, plan.backward);
        assert.equal(plan.dataBytes, plan.pages * sim.kernel.pageSize());
        for (const r of plan.reasons) assert.ok(s.adaptations.some((a) => a.what === r.what && a.featureId === r.featureId), `the Sampler reports "${r.what}"`);
        const dropped = s.adaptations.some((a) => a.what === 'dropped use_clockid');
        assert.equal(dropped, plan.clock.retryOnEinval && s.event.attr.use_clockid !== 1);
        if (dropped) assert.equal(plan.clock.retryOnEinval, true, 'only a plan allowing the retry drops use_clockid');
        const shimDropped = s.adaptations.some((a) => a.featureId === 'attr.use_clockid');
        const attr = s.event.attr as unknown as Record<string, number | bigint | undefined>;
        for (const [k, v] of Object.entries({ ...plan.defaults, ...plan.overrides })) {
          if ((dropped || shimDropped) && (k === 'use_clockid' || k === 'clockid')) continue;
          // The decoder names a union member by its flag (wakeup_watermark, sample_freq).
          const name = k === 'wakeup_events' && attr.watermark === 1 ? 'wakeup_watermark' : k === 'sample_period' && attr.freq === 1 ? 'sample_freq' : k;
          assert.equal(BigInt(attr[name] ?? 0), BigInt(v), `attr.${name} as opened`);
        }
        assert.equal(s.timeBase.kind === 'clock', plan.clock.useClockid && !dropped && !shimDropped);
        if (s.timeBase.kind === 'clock') assert.equal(s.timeBase.clock, plan.clock.clock);
      } finally {
        s.close();
      }
    });
  }

  it('refuses what the Sampler refuses, with the same error', () => {
    const sim = simulate('mainline-4.1');
    const map = mapWith(sim.environment, { 'attr.write_backward': { status: 'unsupported', errno: 22, errnoName: 'EINVAL' } });
    const bad: SamplerOptions[] = [
      { backward: true, policy: { strict: true } },
      { pages: 3 }, { period: 10, frequency: 100 }, { sampleType: ['ip', 'bogus'] }, { clockid: 'sundial' as never }, { wakeupEvents: 0 },
    ];
    for (const o of bad) {
      const errOf = (fn: () => unknown): PerfcompatError => {
        try { fn(); } catch (e) { assert.ok(e instanceof PerfcompatError); return e; }
        assert.fail(`expected ${JSON.stringify(o)} to be refused`);
      };
      const fromPlan = errOf(() => planSampler(CPU_CLOCK, { ...o, kernel: sim.kernel }, map));
      const fromSampler = errOf(() => new Sampler(CPU_CLOCK, { ...o, kernel: sim.kernel, capabilities: map }));
      assert.equal(fromPlan.code, fromSampler.code);
      assert.equal(fromPlan.message, fromSampler.message);
    }
    assert.equal(sim.kernel.openFdCount(), 0);
  });
});
