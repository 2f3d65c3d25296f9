import assert from 'node:assert/strict';
import { resolveEvent, parseEventList } from '../../../src/events';
import { PERF_SAMPLE } from '../../../src/abi/constants';
import type { CapabilityMap, FeatureEntry } from '../../../src/model/capability-map';
import { makeTrees, Trees } from './fake-trees';
import { throwsEventName } from './assert-event-error';
import { sameDecision } from './same-decision';

function caps(features: Record<string, FeatureEntry>, paranoid = 2): CapabilityMap {
  return {
    schema: 'perfcompat/capabilities@1', engineVersion: 'test',
    kernel: { release: '6.1.0', version: '#1', machine: 'x86_64', semver: '6.1.0' },
    environment: {
      arch: 'x64', paranoid, euid: 1000,
      capabilities: { effective: '0', perfmon: false, sysAdmin: false, bpf: false },
      seccomp: { mode: 0, filters: 0 }, container: [], pmus: [], bootId: null, tracefs: null,
    },
    features, durationMs: 1, createdAt: '2026-01-01T00:00:00Z', source: 'probe',
  };
}

type Bits = Partial<Record<'exclude_user' | 'exclude_kernel' | 'exclude_hv' | 'exclude_guest' | 'exclude_host' | 'precise_ip', number>>;

describe('events: modifiers', () => {
  let trees: Trees;
  let o: { sysfsRoot: string; tracefsRoot: string };
  before(() => { trees = makeTrees(); o = { sysfsRoot: trees.noCore, tracefsRoot: trees.tracefs }; });
  after(() => trees.cleanup());

  const pick = (attr: Record<string, number | bigint>): Bits => {
    const out: Bits = {};
    for (const k of ['exclude_user', 'exclude_kernel', 'exclude_hv', 'exclude_guest', 'exclude_host', 'precise_ip'] as const) {
      if (attr[k] !== undefined) out[k] = Number(attr[k]);
    }
    return out;
  };

  // As perf defines them (host, perf_guest off): the first of u/k/h excludes all three levels, each re-includes its own.
  const TABLE: Array<[string, Bits]> = [
    ['', {}],
    ['u', { exclude_user: 0, exclude_kernel: 1, exclude_hv: 1, exclude_guest: 1, exclude_host: 0 }],
    ['k', { exclude_user: 1, exclude_kernel: 0, exclude_hv: 1 }],
    ['h', { exclude_user: 1, exclude_kernel: 1, exclude_hv: 0 }],
    ['uk', { exclude_user: 0, exclude_kernel: 0, exclude_hv: 1, exclude_guest: 1, exclude_host: 0 }],
    ['ukh', { exclude_user: 0, exclude_kernel: 0, exclude_hv: 0, exclude_guest: 1, exclude_host: 0 }],
    ['G', { exclude_guest: 0, exclude_host: 1 }],
    ['H', { exclude_guest: 1, exclude_host: 0 }],
    ['GH', { exclude_guest: 0, exclude_host: 0 }],
    ['uG', { exclude_user: 0, exclude_kernel: 1, exclude_hv: 1, exclude_guest: 0, exclude_host: 1 }],
    ['Gu', { exclude_user: 0, exclude_kernel: 1, exclude_hv: 1, exclude_guest: 0, exclude_host: 1 }],
    ['p', { exclude_guest: 1, exclude_host: 0, precise_ip: 1 }],
    ['pp', { exclude_guest: 1, exclude_host: 0, precise_ip: 2 }],
    ['ppp', { exclude_guest: 1, exclude_host: 0, precise_ip: 3 }],
    ['ukp', { exclude_user: 0, exclude_kernel: 0, exclude_hv: 1, exclude_guest: 1, exclude_host: 0, precise_ip: 1 }],
    ['Hp', { exclude_guest: 1, exclude_host: 0, precise_ip: 1 }],
  ];
  for (const [mods, bits] of TABLE) {
    it(`cycles${mods ? `:${mods}` : ''} sets ${JSON.stringify(bits)}`, () => {
      const ev = resolveEvent(`cycles${mods ? `:${mods}` : ''}`, o);
      assert.deepEqual(pick(ev.attr), bits);
      assert.equal(ev.modifiers, mods);
    });
  }

  it(':S asks for PERF_SAMPLE_READ, :D pins, :e is exclusive, :I excludes idle', () => {
    const ev = resolveEvent('task-clock:SDeI', o);
    assert.equal(ev.attr.sample_type, PERF_SAMPLE.READ);
    assert.equal(ev.attr.pinned, 1);
    assert.equal(ev.attr.exclusive, 1);
    assert.equal(ev.attr.exclude_idle, 1);
  });

  it('more than three p, and unknown letters, are refused', () => {
    throwsEventName(() => resolveEvent('cycles:pppp', o), /precise level 4; the highest is 3/);
    throwsEventName(() => resolveEvent('cycles:uz', o), /unknown modifier "z"/, /valid modifiers: u k h/);
    throwsEventName(() => resolveEvent('cycles:', o), /empty part between ":"/);
    throwsEventName(() => resolveEvent('msr/tsc/:', { ...o, sysfsRoot: trees.plain }), /nothing after ":"/);
    throwsEventName(() => resolveEvent('mem:0x10:', o), /empty part between ":"/);
  });

  it('group modifiers apply to every member, after the member\'s own', () => {
    const [g] = parseEventList('{cycles:k,instructions}:u', o);
    assert.deepEqual(pick(g![0]!.attr), { exclude_user: 0, exclude_kernel: 0, exclude_hv: 1, exclude_guest: 1, exclude_host: 0 });
    assert.equal(g![0]!.modifiers, 'ku');
    assert.deepEqual(pick(g![1]!.attr), { exclude_user: 0, exclude_kernel: 1, exclude_hv: 1, exclude_guest: 1, exclude_host: 0 });
    assert.equal(g![1]!.modifiers, 'u');
  });

  describe('checked against a capability map', () => {
    it(':k when access.kernel is denied → a clear error with the paranoid level', () => {
      const map = caps({ 'access.kernel': { status: 'denied', errno: 13, errnoName: 'EACCES' } });
      throwsEventName(() => resolveEvent('task-clock:k', { ...o, capabilities: map }), /:k asks to count kernel space, which is denied/, /EACCES/, /perf_event_paranoid is 2/);
      throwsEventName(() => parseEventList('{cs,faults}:uk', { ...o, capabilities: map }), /denied/);
      // :u is fine, and so is no modifier (the shim decides about kernel counting)
      assert.equal(resolveEvent('task-clock:u', { ...o, capabilities: map }).attr.exclude_kernel, 1);
      assert.equal(resolveEvent('task-clock', { ...o, capabilities: map }).attr.exclude_kernel, undefined);
    });

    it(':k when access.kernel is supported is accepted', () => {
      const map = caps({ 'access.kernel': { status: 'supported' } });
      assert.equal(resolveEvent('task-clock:k', { ...o, capabilities: map }).attr.exclude_user, 1);
    });

    // One decision per capability: the name path produces the attr only and the
    // shim's planOpen decides it, exactly as for the typed spec (was: refused by name).
    it(':ppp beyond combo.precise_ip → the same planOpen decision as precise_ip: 3 as a spec', () => {
      const map = caps({ 'combo.precise_ip': { status: 'supported', value: 2 } });
      const ppp = resolveEvent('cycles:ppp', { ...o, capabilities: map });
      assert.equal(ppp.attr.precise_ip, 3);
      sameDecision(map, ppp.attr, { type: 0, config: 0, precise_ip: 3 });
      assert.equal(resolveEvent('cycles:pp', { ...o, capabilities: map }).attr.precise_ip, 2);
      const zero = caps({ 'combo.precise_ip': { status: 'supported', value: 0 } });
      sameDecision(zero, resolveEvent('cycles:p', { ...o, capabilities: zero }).attr, { type: 0, config: 0, precise_ip: 1 });
    });

    it(':p when combo.precise_ip is not available → the same planOpen decision as the spec', () => {
      const map = caps({ 'combo.precise_ip': { status: 'no-hardware', errno: 2, errnoName: 'ENOENT' } });
      sameDecision(map, resolveEvent('cycles:p', { ...o, capabilities: map }).attr, { type: 0, config: 0, precise_ip: 1 });
    });

    it(':P takes the highest level from the map, and 0 without one', () => {
      const map = caps({ 'combo.precise_ip': { status: 'supported', value: 2 } });
      assert.equal(resolveEvent('cycles:P', { ...o, capabilities: map }).attr.precise_ip, 2);
      assert.equal(resolveEvent('cycles:P', o).attr.precise_ip, undefined);
    });

    it(':G / :H when the kernel refuses exclude_host / exclude_guest → the same planOpen decision as the spec', () => {
      const map = caps({ 'combo.exclude_host': { status: 'unsupported', errno: 22, errnoName: 'EINVAL' }, 'combo.exclude_guest': { status: 'supported' } });
      const g = resolveEvent('cycles:G', { ...o, capabilities: map });
      sameDecision(map, g.attr, { type: 0, config: 0, exclude_host: 1 });
      assert.equal(resolveEvent('cycles:H', { ...o, capabilities: map }).attr.exclude_guest, 1);
      const noGuest = caps({ 'combo.exclude_guest': { status: 'unsupported', errno: 22, errnoName: 'EINVAL' } });
      const h = resolveEvent('cycles:H', { ...o, capabilities: noGuest });
      sameDecision(noGuest, h.attr, { type: 0, config: 0, exclude_guest: 1 });
    });

    it(':P without a map takes the core PMU\'s caps/max_precise', () => {
      assert.equal(resolveEvent('cycles:P', { sysfsRoot: trees.plain, tracefsRoot: trees.tracefs }).attr.precise_ip, 3);
      assert.equal(resolveEvent('cycles:P', { sysfsRoot: trees.hybrid, tracefsRoot: trees.tracefs }).attr.precise_ip, 3);
    });

    it('a map without the entries checks nothing', () => {
      const map = caps({});
      assert.equal(resolveEvent('cycles:kppp', { ...o, capabilities: map }).attr.precise_ip, 3);
    });
  });
});
