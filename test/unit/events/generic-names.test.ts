import assert from 'node:assert/strict';
import { resolveEvent } from '../../../src/events';
import { HW_EVENTS, SW_EVENTS, PERF_TYPE } from '../../../src/abi/constants';
import { makeTrees, Trees } from './fake-trees';
import { throwsEventName } from './assert-event-error';
import { SOFTWARE_STANDINS } from '../../../src/shim/software-standins';

const HW: Array<[string, string, string]> = [
  ['cycles', 'cpu_cycles', 'cycles'], ['cpu-cycles', 'cpu_cycles', 'cycles'],
  ['instructions', 'instructions', 'instructions'],
  ['cache-references', 'cache_references', 'cache-references'], ['cache-misses', 'cache_misses', 'cache-misses'],
  ['branches', 'branch_instructions', 'branches'], ['branch-instructions', 'branch_instructions', 'branches'],
  ['branch-misses', 'branch_misses', 'branch-misses'], ['bus-cycles', 'bus_cycles', 'bus-cycles'],
  ['stalled-cycles-frontend', 'stalled_cycles_frontend', 'stalled-cycles-frontend'],
  ['idle-cycles-frontend', 'stalled_cycles_frontend', 'stalled-cycles-frontend'],
  ['stalled-cycles-backend', 'stalled_cycles_backend', 'stalled-cycles-backend'],
  ['idle-cycles-backend', 'stalled_cycles_backend', 'stalled-cycles-backend'],
  ['ref-cycles', 'ref_cpu_cycles', 'ref-cycles'],
];
const SW: Array<[string, string, string]> = [
  ['cpu-clock', 'cpu_clock', 'cpu-clock'], ['task-clock', 'task_clock', 'task-clock'],
  ['page-faults', 'page_faults', 'page-faults'], ['faults', 'page_faults', 'page-faults'],
  ['context-switches', 'context_switches', 'context-switches'], ['cs', 'context_switches', 'context-switches'],
  ['cpu-migrations', 'cpu_migrations', 'cpu-migrations'], ['migrations', 'cpu_migrations', 'cpu-migrations'],
  ['minor-faults', 'page_faults_min', 'minor-faults'], ['major-faults', 'page_faults_maj', 'major-faults'],
  ['alignment-faults', 'alignment_faults', 'alignment-faults'], ['emulation-faults', 'emulation_faults', 'emulation-faults'],
  ['dummy', 'dummy', 'dummy'], ['bpf-output', 'bpf_output', 'bpf-output'], ['cgroup-switches', 'cgroup_switches', 'cgroup-switches'],
];

describe('events: generic hardware and software names', () => {
  let trees: Trees;
  before(() => { trees = makeTrees(); });
  after(() => trees.cleanup());

  it('every HW_EVENTS and SW_EVENTS id has a perf name', () => {
    assert.deepEqual(new Set(HW.map((r) => r[1])), new Set(HW_EVENTS.map((e) => e.name)));
    assert.deepEqual(new Set(SW.map((r) => r[1])), new Set(SW_EVENTS.map((e) => e.name)));
  });

  for (const [spelling, abi, canonical] of HW) {
    it(`hardware ${spelling} → PERF_TYPE_HARDWARE ${abi}`, () => {
      const ev = resolveEvent(spelling, { sysfsRoot: trees.noCore, tracefsRoot: trees.tracefs });
      assert.equal(ev.attr.type, PERF_TYPE.HARDWARE);
      assert.equal(ev.attr.config, BigInt(HW_EVENTS.find((e) => e.name === abi)!.value));
      assert.equal(ev.name, canonical);
      assert.equal(ev.pmu, 'hardware');
      assert.equal(ev.input, spelling);
      assert.equal(ev.modifiers, '');
    });
  }
  for (const [spelling, abi, canonical] of SW) {
    it(`software ${spelling} → PERF_TYPE_SOFTWARE ${abi}`, () => {
      const ev = resolveEvent(spelling, { sysfsRoot: trees.noCore, tracefsRoot: trees.tracefs });
      assert.equal(ev.attr.type, PERF_TYPE.SOFTWARE);
      assert.equal(ev.attr.config, BigInt(SW_EVENTS.find((e) => e.name === abi)!.value));
      assert.equal(ev.name, canonical);
      assert.equal(ev.pmu, 'software');
    });
  }

  it('on a machine with one core PMU, hardware events name it and keep the plain type', () => {
    const ev = resolveEvent('instructions', { sysfsRoot: trees.plain, tracefsRoot: trees.tracefs });
    assert.equal(ev.pmu, 'cpu');
    assert.equal(ev.attr.type, PERF_TYPE.HARDWARE);
    assert.equal(ev.attr.config, 1n);
  });

  it('generic names are case-sensitive, as perf lexes them, and suggest the right spelling', () => {
    throwsEventName(() => resolveEvent('Task-Clock', { sysfsRoot: trees.noCore, tracefsRoot: trees.tracefs }), /unknown event "Task-Clock"/, /did you mean "task-clock"/);
  });

  it('suggests close matches for a misspelt name', () => {
    throwsEventName(() => resolveEvent('instuctions', { sysfsRoot: trees.noCore, tracefsRoot: trees.tracefs }), /did you mean "instructions"/);
    throwsEventName(() => resolveEvent('cpu-migraions', { sysfsRoot: trees.noCore, tracefsRoot: trees.tracefs }), /did you mean "cpu-migrations"/);
  });

  it('raw rNNNN is PERF_TYPE_RAW with the hex config; more than 16 digits is refused', () => {
    const ev = resolveEvent('r1a3', { sysfsRoot: trees.noCore, tracefsRoot: trees.tracefs });
    assert.deepEqual(ev.attr, { type: PERF_TYPE.RAW, config: 0x1a3n });
    assert.equal(ev.pmu, 'raw');
    const plain = resolveEvent('rFFFFFFFFFFFFFFFF', { sysfsRoot: trees.plain, tracefsRoot: trees.tracefs });
    assert.equal(plain.attr.config, 0xffffffffffffffffn);
    assert.equal(plain.pmu, 'cpu');
    throwsEventName(() => resolveEvent('r11112222333344445', { sysfsRoot: trees.plain, tracefsRoot: trees.tracefs }), /more than 16 hex digits/);
  });

  it('a bare name that is a PMU alias resolves on that PMU (tsc → msr/tsc/)', () => {
    const ev = resolveEvent('tsc', { sysfsRoot: trees.plain, tracefsRoot: trees.tracefs });
    assert.equal(ev.pmu, 'msr');
    assert.equal(ev.name, 'msr/tsc/');
    assert.deepEqual(ev.attr, { type: 9, config: 0n });
  });
});

describe('events: one event-name table', () => {
  it("the shim's software stand-ins are named from it: each label resolves to the stand-in itself", () => {
    for (const s of SOFTWARE_STANDINS) {
      const ev = resolveEvent(s.label);
      const sw = SW_EVENTS.find((e) => e.name === s.software)!;
      assert.deepEqual([ev.name, ev.attr.type, ev.attr.config], [s.label, PERF_TYPE.SOFTWARE, BigInt(sw.value)], s.hardware);
    }
  });
});
