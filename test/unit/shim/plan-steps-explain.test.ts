/**
 * `probe explain`'s "shim" line for every id a plan step consults is that
 * step's explain, and nothing written beside it: for each id, on a map where
 * the step acts (planOpen's outcome for a spec that reaches it changes) and
 * on one where it does not, shimPathFor equals the step's explain and the two
 * lines differ. Which map makes the step act is checked with planOpen itself,
 * not assumed.
 */
import assert from 'node:assert/strict';
import type { CapabilityMap, FeatureEntry } from '../../../src/model/capability-map';
import { PerfcompatError } from '../../../src/errors';
import { planOpen, type OpenPlan } from '../../../src/shim/adapt';
import { PLAN_STEPS, stepFor, type PlanStep } from '../../../src/shim/plan-steps';
import { attrSizeStep } from '../../../src/shim/plan-steps/attr-size-step';
import { cloexecStep } from '../../../src/shim/plan-steps/cloexec-step';
import { eventStep } from '../../../src/shim/plan-steps/event-step';
import { fallbackStep } from '../../../src/shim/plan-steps/fallback-step';
import { guestHostStep } from '../../../src/shim/plan-steps/guest-host-step';
import { kernelAccessStep } from '../../../src/shim/plan-steps/kernel-access-step';
import { preciseStep } from '../../../src/shim/plan-steps/precise-step';
import { refuseMissingStep } from '../../../src/shim/plan-steps/refuse-missing-step';
import { strictStep } from '../../../src/shim/plan-steps/strict-step';
import { shimPathFor } from '../../../src/shim/shim-path';
import type { EventSpec, Policy } from '../../../src/shim/types';
import { environment, mapWith, noHardware, supported, unsupported } from './shim-fixtures';

const MSR_ENV = { pmus: [...environment().pmus, { name: 'msr', type: 9, formats: {}, caps: {}, events: [] }] };
const denied = (): FeatureEntry => ({ status: 'denied', errno: 13, errnoName: 'EACCES' });

interface Row {
  id: string;
  step: PlanStep;
  /** The step acts on this map … */
  acting: Record<string, FeatureEntry | undefined>;
  /** … and not on this one. */
  quiet: Record<string, FeatureEntry | undefined>;
  /** A spec that reaches the step, and the policy it is planned under. */
  spec: EventSpec;
  policy?: Policy;
  env?: Parameters<typeof mapWith>[1];
}

const CYCLES = { type: 0, config: 0 };
const CPU_CLOCK = { type: 1, config: 0 };

const ROWS: Row[] = [
  { id: 'combo.precise_ip', step: preciseStep, acting: { 'combo.precise_ip': supported(2) }, quiet: { 'combo.precise_ip': supported(3) }, spec: { ...CYCLES, precise_ip: 3 } },
  { id: 'combo.precise_ip', step: preciseStep, acting: { 'combo.precise_ip': noHardware() }, quiet: {}, spec: { ...CYCLES, precise_ip: 1 } },
  { id: 'combo.precise_ip', step: preciseStep, acting: { 'combo.precise_ip': supported(0) }, quiet: { 'combo.precise_ip': supported(1) }, spec: { ...CYCLES, precise_ip: 1 }, policy: { allowPreciseDowngrade: true } },
  { id: 'combo.exclude_guest', step: guestHostStep, acting: { 'combo.exclude_guest': unsupported() }, quiet: { 'combo.exclude_guest': supported() }, spec: { ...CYCLES, exclude_guest: 1 } },
  { id: 'combo.exclude_guest', step: guestHostStep, acting: { 'combo.exclude_guest': supported('required') }, quiet: { 'combo.exclude_guest': supported() }, spec: CYCLES },
  { id: 'combo.exclude_host', step: guestHostStep, acting: { 'combo.exclude_host': unsupported() }, quiet: { 'combo.exclude_host': supported() }, spec: { ...CYCLES, exclude_host: 1 } },
  { id: 'access.kernel', step: kernelAccessStep, acting: { 'access.kernel': denied() }, quiet: { 'access.kernel': supported() }, spec: CPU_CLOCK },
  { id: 'attr.size', step: attrSizeStep, acting: { 'attr.size': supported(112) }, quiet: { 'attr.size': undefined }, spec: CPU_CLOCK },
  { id: 'open_flags.fd_cloexec', step: cloexecStep, acting: { 'open_flags.fd_cloexec': unsupported() }, quiet: { 'open_flags.fd_cloexec': supported() }, spec: CPU_CLOCK },
  { id: 'open_flags.fd_cloexec', step: cloexecStep, acting: { 'open_flags.fd_cloexec': denied() }, quiet: {}, spec: CPU_CLOCK },
  { id: 'event.hardware.cpu_cycles', step: eventStep, acting: { 'event.hardware.cpu_cycles': noHardware() }, quiet: { 'event.hardware.cpu_cycles': supported() }, spec: CYCLES, policy: { fallback: 'software' } },
  { id: 'event.hardware.instructions', step: eventStep, acting: { 'event.hardware.instructions': unsupported() }, quiet: { 'event.hardware.instructions': supported() }, spec: { type: 0, config: 1 } },
  { id: 'event.hardware.cache_misses', step: eventStep, acting: { 'event.hardware.cache_misses': noHardware() }, quiet: {}, spec: { type: 0, config: 3 }, policy: { fallback: 'software' } },
  { id: 'event.hw_cache.l1d.read.miss', step: eventStep, acting: { 'event.hw_cache.l1d.read.miss': noHardware() }, quiet: { 'event.hw_cache.l1d.read.miss': supported() }, spec: { type: 3, config: 0x10000 } },
  { id: 'event.software.task_clock', step: eventStep, acting: { 'event.software.task_clock': unsupported(2, 'ENOENT') }, quiet: { 'event.software.task_clock': supported() }, spec: { type: 1, config: 1 } },
  { id: 'event.tracepoint', step: eventStep, acting: { 'event.tracepoint': unsupported() }, quiet: {}, spec: { type: 2, config: 1 } },
  { id: 'pmu.msr', step: eventStep, acting: { 'pmu.msr': noHardware() }, quiet: { 'pmu.msr': supported() }, spec: { type: 9, config: 0 }, env: MSR_ENV },
  { id: 'attr.mmap2', step: fallbackStep, acting: { 'attr.mmap2': unsupported() }, quiet: { 'attr.mmap2': supported() }, spec: { ...CPU_CLOCK, mmap2: 1 } },
  { id: 'attr.config3', step: refuseMissingStep, acting: { 'attr.config3': unsupported() }, quiet: { 'attr.config3': supported() }, spec: { ...CYCLES, config3: 1 } },
];

function map(row: Row, change: Row['acting']): CapabilityMap {
  const m = mapWith({}, row.env);
  for (const [id, e] of Object.entries(change)) {
    if (e === undefined) delete m.features[id];
    else m.features[id] = e;
  }
  return m;
}

/** planOpen's outcome as comparable data: the plan's decisions, or the error. */
function outcome(row: Row, m: CapabilityMap): unknown {
  try {
    const p: OpenPlan = planOpen(row.spec, { map: m, policy: row.policy ?? {} });
    return { name: p.name, attr: p.attr, size: p.size, openFlags: p.openFlags, adaptations: p.adaptations };
  } catch (e) {
    assert.ok(e instanceof PerfcompatError, String(e));
    return { code: e.code, message: e.message };
  }
}

describe('shim/shimPathFor prints the plan steps\' explain', () => {
  for (const row of ROWS) {
    it(`${row.id}: ${JSON.stringify(row.acting)} vs ${JSON.stringify(row.quiet)}`, () => {
      const acting = map(row, row.acting);
      const quiet = map(row, row.quiet);
      assert.equal(stepFor(row.id), row.step, `${row.id} is explained by "${row.step.name}"`);
      assert.notDeepEqual(outcome(row, acting), outcome(row, quiet), 'the step acts on one map and not on the other');
      const actingLine = shimPathFor(row.id, acting);
      const quietLine = shimPathFor(row.id, quiet);
      assert.equal(actingLine, row.step.explain(acting, row.id));
      assert.equal(quietLine, row.step.explain(quiet, row.id));
      assert.notEqual(actingLine, quietLine);
    });
  }

  it('every id a step names is explained by a step that consults it, and the steps run in planOpen\'s order', () => {
    assert.deepEqual(PLAN_STEPS, [eventStep, fallbackStep, preciseStep, kernelAccessStep, guestHostStep, refuseMissingStep, cloexecStep, strictStep, attrSizeStep]);
    const m = mapWith();
    for (const s of PLAN_STEPS) {
      for (const id of s.consults.filter((c) => !c.endsWith('.*'))) {
        assert.ok(stepFor(id)!.consults.includes(id), id);
        assert.equal(typeof shimPathFor(id, m), 'string', id);
      }
    }
  });

  it('a map that says no precise level opens is explained as a refusal, as planOpen decides it (was "passed as asked")', () => {
    const m = mapWith({ 'combo.precise_ip': noHardware() });
    assert.throws(() => planOpen({ ...CYCLES, precise_ip: 1 }, { map: m }), (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_ADAPTATION_REFUSED');
    assert.match(shimPathFor('combo.precise_ip', m)!, /refused with ERR_ADAPTATION_REFUSED.*allowPreciseDowngrade/);
  });
});
