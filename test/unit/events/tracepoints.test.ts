import assert from 'node:assert/strict';
import fs = require('node:fs');
import * as path from 'node:path';
import sinon from 'sinon';
import { resolveEvent, parseEventList } from '../../../src/events';
import { PERF_TYPE } from '../../../src/abi/constants';
import { findTracefs } from '../../../src/env/tracefs';
import { makeTrees, Trees } from './fake-trees';
import { throwsEventName } from './assert-event-error';

describe('events: tracepoints from tracefs', () => {
  let trees: Trees;
  let o: { sysfsRoot: string; tracefsRoot: string };
  before(() => { trees = makeTrees(); o = { sysfsRoot: trees.noCore, tracefsRoot: trees.tracefs }; });
  after(() => trees.cleanup());
  afterEach(() => sinon.restore());

  it('sched:sched_switch → PERF_TYPE_TRACEPOINT with the id from events/sched/sched_switch/id', () => {
    const ev = resolveEvent('sched:sched_switch', o);
    assert.deepEqual(ev.attr, { type: PERF_TYPE.TRACEPOINT, config: 316n, sample_period: 1n });
    assert.equal(ev.name, 'sched:sched_switch');
    assert.equal(ev.pmu, 'tracepoint');
  });

  it('takes modifiers after the tracepoint', () => {
    const ev = resolveEvent('syscalls:sys_enter_read:u', o);
    assert.equal(ev.attr.config, 600n);
    assert.equal(ev.attr.exclude_kernel, 1);
    assert.equal(ev.modifiers, 'u');
  });

  it('a glob lists every match, each its own group; in a {} group they join it', () => {
    const groups = parseEventList('sched:sched_wake*', o);
    assert.deepEqual(groups.map((g) => g.map((e) => e.name)), [['sched:sched_wakeup'], ['sched:sched_wakeup_new']]);
    const all = parseEventList('sched:*', o).map((g) => g[0]!.attr.config);
    assert.deepEqual(all, [316n, 318n, 319n]);
    const grouped = parseEventList('{task-clock,*:sys_*_read}', o);
    assert.equal(grouped.length, 1);
    assert.deepEqual(grouped[0]!.map((e) => e.name), ['task-clock', 'syscalls:sys_enter_read', 'syscalls:sys_exit_read']);
    assert.deepEqual(parseEventList('sched:sched_wakeup_ne?', o).map((g) => g[0]!.name), ['sched:sched_wakeup_new']);
    assert.deepEqual(parseEventList('sched:sched_[sw]*', o).length, 3);
  });

  it('resolveEvent on a glob that matches several names them', () => {
    throwsEventName(() => resolveEvent('sched:*', o), /matches 3 events \(sched:sched_switch, sched:sched_wakeup, sched:sched_wakeup_new\)/);
    assert.equal(resolveEvent('sched:sched_sw*', o).attr.config, 316n);
  });

  it('a glob that matches nothing, an unknown system and an unknown event are told apart', () => {
    throwsEventName(() => resolveEvent('sched:nothing_*', o), /no tracepoint matches sched:nothing_\*/);
    throwsEventName(() => resolveEvent('shed:sched_switch', o), /unknown tracepoint system "shed" \(did you mean "sched"\?\)/);
    throwsEventName(() => resolveEvent('sched:sched_swich', o), /unknown tracepoint "sched_swich" in system sched \(did you mean "sched_switch"\?\)/);
  });

  it('an event directory without an id, and a malformed id, are explained', () => {
    throwsEventName(() => resolveEvent('ftrace:function', o), /ftrace:function has no id file/);
    throwsEventName(() => resolveEvent('broken:bad_id', o), /holds "zzz", not a number/);
  });

  it('bad characters in a tracepoint name are refused', () => {
    throwsEventName(() => resolveEvent('sched:sch@d', o), /not a tracepoint event name/);
  });

  it('tracefs not mounted: the error says so and how to mount it', () => {
    throwsEventName(() => resolveEvent('sched:sched_switch', { ...o, tracefsRoot: trees.emptyTracefs }), /tracefs is not mounted/, /mount -t tracefs/);
  });

  it('tracefs not readable: the error says so (EACCES)', () => {
    const real = fs.accessSync;
    const events = path.join(trees.tracefs, 'events');
    sinon.stub(fs, 'accessSync').callsFake(((p: fs.PathLike, mode?: number) => {
      if (String(p) === events) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      return real(p, mode);
    }) as typeof fs.accessSync);
    assert.equal(findTracefs(trees.tracefs).ok, false);
    throwsEventName(() => resolveEvent('sched:sched_switch', o), /tracefs is not readable/, /EACCES/);
  });

  it('without a root, looks in /sys/kernel/tracing, then /sys/kernel/debug/tracing', () => {
    const realStat = fs.statSync;
    const realAccess = fs.accessSync;
    const seen: string[] = [];
    const TRACING = '/sys/kernel/tracing/events';
    const DEBUG = '/sys/kernel/debug/tracing/events';
    sinon.stub(fs, 'statSync').callsFake(((p: fs.PathLike, ...rest: unknown[]) => {
      const s = String(p);
      if (s === TRACING) { seen.push(s); throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' }); }
      if (s === DEBUG) { seen.push(s); return { isDirectory: () => true }; }
      return (realStat as (...a: unknown[]) => unknown)(p, ...rest);
    }) as typeof fs.statSync);
    sinon.stub(fs, 'accessSync').callsFake(((p: fs.PathLike, mode?: number) => {
      if (String(p) === DEBUG) return undefined;
      return realAccess(p, mode);
    }) as typeof fs.accessSync);
    assert.deepEqual(findTracefs(), { ok: true, root: '/sys/kernel/debug/tracing' });
    assert.deepEqual(seen, [TRACING, DEBUG]);
  });

  it('name:modifiers is not mistaken for a tracepoint, and a known name with bad modifiers says so', () => {
    assert.equal(resolveEvent('cs:u', o).attr.type, PERF_TYPE.SOFTWARE);
    throwsEventName(() => resolveEvent('cpu-clock:q', o), /unknown modifier "q"/);
  });

  it('with tracefs absent, non-tracepoint names still resolve', () => {
    assert.equal(resolveEvent('task-clock:u', { ...o, tracefsRoot: trees.emptyTracefs }).attr.config, 1n);
  });
});
