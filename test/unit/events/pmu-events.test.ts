import assert from 'node:assert/strict';
import { resolveEvent, parseEventList } from '../../../src/events';
import fs from 'node:fs';
import { makeTrees, Trees, writeTree } from './fake-trees';
import { throwsEventName } from './assert-event-error';
import { invalidatePmuFacts } from '../../../src/env/pmus';
import { openStatus } from '../../../src/events/open-status';
import { ERRNO } from '../../../src/abi/errno';
import type { Kernel } from '../../../src/sys/kernel';
import { simulate } from '../../sim';

describe('events: sysfs PMU events and terms', () => {
  let trees: Trees;
  let o: { sysfsRoot: string; tracefsRoot: string };
  before(() => { trees = makeTrees(); o = { sysfsRoot: trees.hybrid, tracefsRoot: trees.tracefs }; });
  after(() => trees.cleanup());

  it('msr/tsc/ takes the PMU type and the alias terms', () => {
    const ev = resolveEvent('msr/tsc/', o);
    assert.deepEqual(ev.attr, { type: 9, config: 0n });
    assert.equal(ev.name, 'msr/tsc/');
    assert.equal(ev.pmu, 'msr');
    assert.equal(ev.scale, undefined);
  });

  it('pmu/term=value,term2=value/ places each value at its format bits', () => {
    const ev = resolveEvent('cpu_core/event=0x3c,umask=0x1,edge,cmask=2/', o);
    assert.equal(ev.attr.type, 4);
    assert.equal(ev.attr.config, 0x3cn | 0x1n << 8n | 1n << 18n | 2n << 24n);
    assert.equal(ev.name, 'cpu_core/event=0x3c,umask=0x1,edge,cmask=2/');
  });

  it('decimal and hex values, and config/config1/config2 built-in terms', () => {
    assert.equal(resolveEvent('cpu_atom/event=60/', o).attr.config, 60n);
    const ev = resolveEvent('cpu_core/config=0x1234,config1=0x5,config2=7/', o);
    assert.equal(ev.attr.config, 0x1234n);
    assert.equal(ev.attr.config1, 5n);
    assert.equal(ev.attr.config2, 7n);
  });

  it('split ranges, single bits and config1..config3 formats', () => {
    const ev = resolveEvent('splitter/lo=0xabc,bit,wide=0xffff,c2=0xf,c3=0xff/', o);
    assert.equal(ev.attr.type, 30);
    assert.equal(ev.attr.config, 0xbcn | 0xan << 32n | 1n << 63n);
    assert.equal(ev.attr.config1, 0xffffn);
    assert.equal(ev.attr.config2, 0xfn);
    assert.equal(ev.attr.config3, 0xffn << 4n);
  });

  it('a raw term rNNNN inside a PMU term list is config=0xNNNN, as perf takes cpu/r1a3/', () => {
    const ev = resolveEvent('cpu_core/r1a3/', o);
    assert.equal(ev.attr.type, 4);
    assert.equal(ev.attr.config, 0x1a3n);
    assert.equal(resolveEvent('cpu_core/r1a3,cmask=2/', o).attr.config, 0x1a3n | 2n << 24n);
    assert.equal(resolveEvent('cpu_core/r1a3,config1=5/', o).attr.config1, 5n);
    throwsEventName(() => resolveEvent('cpu_core/r12345678123456789/', o), /cpu_core\/r12345678123456789\//, /more than 16 hex digits/);
    throwsEventName(() => resolveEvent('cpu_core/rxyz/', o), /no event or term "rxyz".*rNNNN/);
  });

  it('an alias with .scale and .unit carries them', () => {
    const ev = resolveEvent('power/energy-pkg/', o);
    assert.equal(ev.attr.config, 2n);
    assert.equal(ev.scale, 2.3283064365386962890625e-10);
    assert.equal(ev.unit, 'Joules');
    const td = resolveEvent('cpu_core/topdown-retiring/', o);
    assert.equal(td.attr.config, 0x80n << 8n);
    assert.equal(td.scale, 4);
    assert.equal(td.unit, undefined);
  });

  it('user terms after an alias override its terms; name= renames', () => {
    const ev = resolveEvent('msr/tsc,event=0x5,name=mytsc/', o);
    assert.equal(ev.attr.config, 5n);
    assert.equal(ev.name, 'mytsc');
  });

  it('period, freq and inherit terms set the attr fields', () => {
    const ev = resolveEvent('msr/tsc,period=1000/', o);
    assert.equal(ev.attr.sample_period, 1000n);
    const f = resolveEvent('msr/tsc,freq=99,no-inherit/', o);
    assert.equal(f.attr.sample_freq, 99n);
    assert.equal(f.attr.freq, 1);
    assert.equal(f.attr.inherit, 0);
  });

  it('an alias parameter (term=?) must be supplied', () => {
    throwsEventName(() => resolveEvent('splitter/param/', o), /alias splitter\/param\/ needs a value for term wide/, /splitter\/param,wide=N\//);
    const ev = resolveEvent('splitter/param,wide=0x10/', o);
    assert.equal(ev.attr.config, 1n);
    assert.equal(ev.attr.config1, 0x10n);
  });

  it('an unknown PMU is named, with close matches', () => {
    throwsEventName(() => resolveEvent('mrs/tsc/', o), /unknown PMU "mrs"/, /did you mean "msr"/, /PMUs here: .*cpu_core/);
  });

  it('an unknown event or term is named, with close matches and the valid terms', () => {
    throwsEventName(() => resolveEvent('msr/tcs/', o), /PMU msr has no event or term "tcs"/, /did you mean "tsc"/);
    throwsEventName(() => resolveEvent('cpu_core/evnt=1/', o), /PMU cpu_core has no term "evnt"/, /did you mean "event"/, /valid terms: any, cmask, edge, event, inv, umask, config, config1/);
    // an alias whose own terms are unknown to the PMU
    throwsEventName(() => resolveEvent('cpu_core/mem-loads/', o), /no term "ldlat"/);
  });

  it('a value out of the format\'s bit range is refused with the range', () => {
    throwsEventName(() => resolveEvent('cpu_core/umask=0x100/', o), /value 0x100 of term umask is out of range: format config:8-15 holds 8 bits \(0\.\.0xff\)/);
    throwsEventName(() => resolveEvent('cpu_core/edge=2/', o), /holds 1 bit \(0\.\.0x1\)/);
    throwsEventName(() => resolveEvent('splitter/lo=0x1000/', o), /config:0-7,32-35 holds 12 bits/);
    throwsEventName(() => resolveEvent('msr/config=0x10000000000000000/', o), /does not fit 64 bits/);
  });

  it('malformed term lists and values are refused', () => {
    throwsEventName(() => resolveEvent('msr//', o), /no terms between the slashes/);
    throwsEventName(() => resolveEvent('msr/event=/', o), /has "=" but no value/);
    throwsEventName(() => resolveEvent('msr/event=zz/', o), /value "zz" of term event is not a number/);
    throwsEventName(() => resolveEvent('msr/event=1,,/', o), /empty term/);
    throwsEventName(() => resolveEvent('msr/tsc,aperf/', o), /two events in one term list/);
    throwsEventName(() => resolveEvent('msr/tsc/x', o), /only :modifiers may follow/);
    throwsEventName(() => resolveEvent('splitter/bad=1/', o), /format\/bad cannot be used/);
  });

  it('a PMU without a type file cannot be opened and says so', () => {
    throwsEventName(() => resolveEvent('notype/x/', o), /PMU notype has no readable type file/);
  });

  it('a PMU prefix selects the numbered PMUs (uncore_imc → uncore_imc_0, _1)', () => {
    const groups = parseEventList('uncore_imc/cas_count_read/', o);
    assert.deepEqual(groups.map((g) => g.map((e) => [e.pmu, e.attr.type, e.unit])), [[['uncore_imc_0', 20, 'MiB']], [['uncore_imc_1', 21, 'MiB']]]);
    assert.equal(groups[0]![0]!.scale, 6.103515625e-5);
    throwsEventName(() => resolveEvent('uncore_imc/cas_count_read/', o), /matches 2 events/);
    assert.equal(resolveEvent('uncore_imc_1/cas_count_read/', o).attr.type, 21);
  });

  it('a PMU with a cpumask gives the CPUs to open it on; others give none', () => {
    assert.deepEqual(resolveEvent('uncore_imc_0/cas_count_read/', o).cpus, [0]);
    assert.deepEqual(resolveEvent('power/energy-pkg/', o).cpus, [0]);
    assert.equal(resolveEvent('msr/tsc/', o).cpus, undefined);
    assert.equal(resolveEvent('cpu_core/event=0x3c/', o).cpus, undefined);
  });

  it('PMU files are read once; again with refresh, when a name is missing and the PMU list changed, or when declared stale', () => {
    const root = `${trees.base}/changing`;
    writeTree(root, { msr: { type: '9\n', format: { event: 'config:0-63\n' }, events: { tsc: 'event=0x00\n' } } });
    assert.equal(resolveEvent('msr/tsc/', { sysfsRoot: root }).attr.config, 0n);
    fs.writeFileSync(`${root}/msr/events/tsc`, 'event=0x07\n');
    // the files read before are used…
    assert.equal(resolveEvent('msr/tsc/', { sysfsRoot: root }).attr.config, 0n);
    // …until asked to refresh
    assert.equal(resolveEvent('msr/tsc/', { sysfsRoot: root, refresh: true }).attr.config, 7n);
    fs.writeFileSync(`${root}/msr/events/tsc`, 'event=0x08\n');
    writeTree(root, { power: { type: '22\n', format: { event: 'config:0-7\n' }, events: {} } });
    // a name not among the PMUs read: the list is read again, it changed, so everything is
    assert.equal(resolveEvent('power/event=1/', { sysfsRoot: root }).attr.type, 22);
    assert.equal(resolveEvent('msr/tsc/', { sysfsRoot: root }).attr.config, 8n);
    // the PMU comes back with another type: stale once src/env says so
    fs.writeFileSync(`${root}/msr/type`, '10\n');
    assert.equal(resolveEvent('msr/tsc/', { sysfsRoot: root }).attr.type, 9);
    invalidatePmuFacts();
    assert.equal(resolveEvent('msr/tsc/', { sysfsRoot: root }).attr.type, 10);
  });

  it('an open refused with ENOENT for a PMU type read from sysfs makes the PMU facts stale (fd scope → src/env)', () => {
    const root = `${trees.base}/retyped`;
    writeTree(root, { ibs_op: { type: '11\n', format: { cnt_ctl: 'config:19\n' }, events: {} } });
    const before = resolveEvent('ibs_op/cnt_ctl=1/', { sysfsRoot: root });
    assert.equal(before.attr.type, 11);
    fs.writeFileSync(`${root}/ibs_op/type`, '12\n');
    // A kernel where type 11 is gone: ENOENT, as perf_init_event answers for a type nobody registered.
    const calls: number[] = [];
    const sim = simulate('mainline-6.18').kernel;
    const kernel = Object.create(sim) as Kernel;
    kernel.perfEventOpen = (attr, pid, cpu, group, flags) => {
      calls.push(new DataView(attr.buffer, attr.byteOffset).getUint32(0, true));
      return calls[calls.length - 1] === 11 ? { errno: ERRNO.ENOENT! } : sim.perfEventOpen(attr, pid, cpu, group, flags);
    };
    // ENOENT for a fixed type (a software id past its max) is about the event: nothing is made stale.
    assert.equal(openStatus(kernel, { type: 1, config: 999 }).errnoName, 'ENOENT');
    assert.equal(resolveEvent('ibs_op/cnt_ctl=1/', { sysfsRoot: root }).attr.type, 11);
    assert.equal(openStatus(kernel, before.attr).errnoName, 'ENOENT');
    assert.deepEqual(calls, [1, 11]);
    assert.equal(resolveEvent('ibs_op/cnt_ctl=1/', { sysfsRoot: root }).attr.type, 12);
  });

  it('a name resolved from the remembered PMU facts equals one resolved afresh (refresh), and is the caller\'s own copy', () => {
    const names = ['msr/tsc/', 'msr/tsc/:u', 'tsc', 'power/energy-pkg/', 'uncore_imc_0/cas_count_read/', 'cpu_core/event=0x3c,umask=1/:k', 'cpu_atom/cycles/'];
    for (const n of names) {
      const fresh = resolveEvent(n, { ...o, refresh: true });
      const again = resolveEvent(n, o);
      assert.deepEqual(again, fresh, n);
      again.attr.config = 12345n;
      if (again.cpus) again.cpus.push(99);
      assert.deepEqual(resolveEvent(n, o), fresh, `${n}: a caller's change reached the cache`);
    }
    const lists = ['{cpu_core/cycles/,msr/tsc/}:u', 'uncore_imc/cas_count_read/,tsc'];
    for (const l of lists) assert.deepEqual(parseEventList(l, o), parseEventList(l, { ...o, refresh: true }), l);
  });

  it('a group with a PMU prefix is repeated per numbered PMU, other members copied', () => {
    const groups = parseEventList('{uncore_imc/cas_count_read/,uncore_imc/event=0x5/,cs}:u', o);
    assert.deepEqual(groups.map((g) => g.map((e) => `${e.pmu}:${e.attr.config}`)), [
      ['uncore_imc_0:772', 'uncore_imc_0:5', 'software:3'],
      ['uncore_imc_1:772', 'uncore_imc_1:5', 'software:3'],
    ]);
    assert.ok(groups.flat().every((e) => e.attr.exclude_kernel === 1));
  });

  it('a bare alias defined by several PMUs expands in a list', () => {
    const groups = parseEventList('cas_count_read', o);
    assert.deepEqual(groups.map((g) => g[0]!.pmu), ['uncore_imc_0', 'uncore_imc_1']);
  });

  it('no sysfs at all: a PMU event says so', () => {
    throwsEventName(() => resolveEvent('msr/tsc/', { sysfsRoot: `${trees.base}/absent` }), /no PMUs under .*absent \(is sysfs mounted\?\)/);
  });
});
