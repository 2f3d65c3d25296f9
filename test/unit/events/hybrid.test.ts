import assert from 'node:assert/strict';
import { resolveEvent, parseEventList } from '../../../src/events';
import { PERF_TYPE, PERF_PMU_TYPE_SHIFT, hwCacheConfig } from '../../../src/abi/constants';
import { makeTrees, Trees } from './fake-trees';
import { throwsEventName } from './assert-event-error';

const EXT = BigInt(PERF_PMU_TYPE_SHIFT);

describe('events: hybrid core PMUs (cpu_core + cpu_atom)', () => {
  let trees: Trees;
  let o: { sysfsRoot: string; tracefsRoot: string };
  before(() => { trees = makeTrees(); o = { sysfsRoot: trees.hybrid, tracefsRoot: trees.tracefs }; });
  after(() => trees.cleanup());

  it('cpu_core/cycles/ and cpu_atom/cycles/ use the extended hardware type', () => {
    const core = resolveEvent('cpu_core/cycles/', o);
    assert.equal(core.attr.type, PERF_TYPE.HARDWARE);
    assert.equal(core.attr.config, 4n << EXT | 0n);
    assert.equal(core.pmu, 'cpu_core');
    const atom = resolveEvent('cpu_atom/instructions/', o);
    assert.equal(atom.attr.config, 10n << EXT | 1n);
    assert.equal(atom.name, 'cpu_atom/instructions/');
  });

  it('cache events inside a core PMU also take the extended type', () => {
    const ev = resolveEvent('cpu_atom/L1-dcache-load-misses/', o);
    assert.equal(ev.attr.type, PERF_TYPE.HW_CACHE);
    assert.equal(ev.attr.config, 10n << EXT | hwCacheConfig(0, 0, 1));
    throwsEventName(() => resolveEvent('cpu_atom/iTLB-stores/', o), /iTLB × store is meaningless/);
  });

  it('generic names are not events of a non-core PMU', () => {
    throwsEventName(() => resolveEvent('msr/cycles/', o), /PMU msr has no event or term "cycles"/);
  });

  it('bare cycles resolves to the boot CPU\'s core PMU (cpus has 0)', () => {
    const ev = resolveEvent('cycles', o);
    assert.equal(ev.pmu, 'cpu_core');
    assert.equal(ev.attr.type, PERF_TYPE.HARDWARE);
    assert.equal(ev.attr.config, 4n << EXT);
  });

  it('in a list, a generic hardware event becomes one event per core PMU', () => {
    const groups = parseEventList('cycles:u,task-clock', o);
    assert.deepEqual(groups.map((g) => g.map((e) => `${e.pmu}:${(e.attr.config as bigint) >> EXT}:${e.modifiers}`)),
      [['cpu_atom:10:u'], ['cpu_core:4:u'], ['software:0:']]);
  });

  it('a group with a generic hardware event is repeated per core PMU, software members copied', () => {
    const groups = parseEventList('{cycles,instructions,cs}:u', o);
    assert.equal(groups.length, 2);
    for (const [g, pmu, type] of [[groups[0]!, 'cpu_atom', 10n], [groups[1]!, 'cpu_core', 4n]] as const) {
      assert.deepEqual(g.map((e) => e.pmu), [pmu, pmu, 'software']);
      assert.equal((g[0]!.attr.config as bigint) >> EXT, type);
      assert.ok(g.every((e) => e.attr.exclude_kernel === 1 && e.modifiers === 'u'));
    }
    // the copies do not share attr objects
    assert.notEqual(groups[0]![2]!.attr, groups[1]![2]!.attr);
  });

  it('raw rNNNN on a hybrid machine is one event per core PMU, with the PMU\'s type', () => {
    const groups = parseEventList('r3c', o);
    assert.deepEqual(groups.map((g) => [g[0]!.pmu, g[0]!.attr.type, g[0]!.attr.config]), [['cpu_atom', 10, 0x3cn], ['cpu_core', 4, 0x3cn]]);
  });

  it('on a machine with one core PMU, cycles keeps the plain type and sysfs aliases win inside cpu/', () => {
    const o2 = { sysfsRoot: trees.plain, tracefsRoot: trees.tracefs };
    assert.deepEqual(resolveEvent('cycles', o2).attr, { type: PERF_TYPE.HARDWARE, config: 0n });
    assert.deepEqual(resolveEvent('cpu/cpu-cycles/', o2).attr, { type: 4, config: 0x3cn });
    assert.deepEqual(resolveEvent('cpu/cycles/', o2).attr, { type: PERF_TYPE.HARDWARE, config: 0n });
    assert.equal(parseEventList('cycles', o2).length, 1);
  });
});
