import assert from 'node:assert/strict';
import { resolveEvent } from '../../../src/events';
import { allHwCacheEvents, parseHwCacheName } from '../../../src/events/hw-cache-names';
import { PERF_TYPE, hwCacheConfig } from '../../../src/abi/constants';
import { makeTrees, Trees } from './fake-trees';
import { throwsEventName } from './assert-event-error';

// [name, cache id, op id, result id, canonical]
const NAMES: Array<[string, number, number, number, string]> = [
  ['L1-dcache-loads', 0, 0, 0, 'L1-dcache-loads'],
  ['L1-dcache-load-misses', 0, 0, 1, 'L1-dcache-load-misses'],
  ['L1-dcache-stores', 0, 1, 0, 'L1-dcache-stores'],
  ['L1-dcache-store-misses', 0, 1, 1, 'L1-dcache-store-misses'],
  ['L1-dcache-prefetches', 0, 2, 0, 'L1-dcache-prefetches'],
  ['L1-dcache-prefetch-misses', 0, 2, 1, 'L1-dcache-prefetch-misses'],
  ['L1-icache-loads', 1, 0, 0, 'L1-icache-loads'],
  ['L1-icache-load-misses', 1, 0, 1, 'L1-icache-load-misses'],
  ['LLC-loads', 2, 0, 0, 'LLC-loads'],
  ['LLC-load-misses', 2, 0, 1, 'LLC-load-misses'],
  ['LLC-stores', 2, 1, 0, 'LLC-stores'],
  ['LLC-prefetch-misses', 2, 2, 1, 'LLC-prefetch-misses'],
  ['dTLB-loads', 3, 0, 0, 'dTLB-loads'],
  ['dTLB-load-misses', 3, 0, 1, 'dTLB-load-misses'],
  ['dTLB-store-misses', 3, 1, 1, 'dTLB-store-misses'],
  ['iTLB-loads', 4, 0, 0, 'iTLB-loads'],
  ['iTLB-load-misses', 4, 0, 1, 'iTLB-load-misses'],
  ['branch-loads', 5, 0, 0, 'branch-loads'],
  ['branch-load-misses', 5, 0, 1, 'branch-load-misses'],
  ['node-loads', 6, 0, 0, 'node-loads'],
  ['node-load-misses', 6, 0, 1, 'node-load-misses'],
  ['node-stores', 6, 1, 0, 'node-stores'],
  ['node-prefetch-misses', 6, 2, 1, 'node-prefetch-misses'],
  // perf's other spellings
  ['l1d-load-miss', 0, 0, 1, 'L1-dcache-load-misses'],
  ['L1-data-read-access', 0, 0, 0, 'L1-dcache-loads'],
  ['l1-i-speculative-read', 1, 2, 0, 'L1-icache-prefetches'],
  ['L2-write-misses', 2, 1, 1, 'LLC-store-misses'],
  ['Data-TLB-misses', 3, 0, 1, 'dTLB-load-misses'],
  ['i-tlb-ops', 4, 0, 0, 'iTLB-loads'],
  ['btb-loads', 5, 0, 0, 'branch-loads'],
  ['bpu-misses', 5, 0, 1, 'branch-load-misses'],
  ['L1-dcache', 0, 0, 0, 'L1-dcache-loads'],
  ['llc-misses-load', 2, 0, 1, 'LLC-load-misses'],
  ['LLC-LOAD-MISSES', 2, 0, 1, 'LLC-load-misses'],
  ['L1-dcache-speculative-load-Reference', 0, 2, 0, 'L1-dcache-prefetches'],
];

describe('events: hardware cache names', () => {
  let trees: Trees;
  before(() => { trees = makeTrees(); });
  after(() => trees.cleanup());

  for (const [name, c, o, r, canonical] of NAMES) {
    it(`${name} → cache ${c} op ${o} result ${r}`, () => {
      const ev = resolveEvent(name, { sysfsRoot: trees.noCore, tracefsRoot: trees.tracefs });
      assert.equal(ev.attr.type, PERF_TYPE.HW_CACHE);
      assert.equal(ev.attr.config, hwCacheConfig(c, o, r));
      assert.equal(ev.name, canonical);
    });
  }

  it('lists 32 meaningful combinations, each of which resolves back to itself', () => {
    const all = allHwCacheEvents();
    // l1d 3×2, l1i 2×2, ll 3×2, dtlb 3×2, itlb 1×2, bpu 1×2, node 3×2
    assert.equal(all.length, 32);
    for (const e of all) {
      const ev = resolveEvent(e.name, { sysfsRoot: trees.noCore, tracefsRoot: trees.tracefs });
      assert.equal(ev.attr.config, e.config, e.name);
      assert.match(e.featureId, /^event\.hw_cache\.(l1d|l1i|ll|dtlb|itlb|bpu|node)\.(read|write|prefetch)\.(access|miss)$/);
    }
  });

  const MEANINGLESS: Array<[string, RegExp]> = [
    ['L1-icache-stores', /L1-icache × store is meaningless.*valid ops for L1-icache: load, prefetch/],
    ['L1-icache-store-misses', /L1-icache × store/],
    ['iTLB-stores', /iTLB × store is meaningless.*valid ops for iTLB: load/],
    ['iTLB-prefetch-misses', /iTLB × prefetch/],
    ['branch-stores', /branch × store is meaningless/],
    ['branch-prefetches', /branch × prefetch/],
  ];
  for (const [name, re] of MEANINGLESS) {
    it(`refuses the meaningless ${name} with the reason`, () => {
      throwsEventName(() => resolveEvent(name, { sysfsRoot: trees.noCore, tracefsRoot: trees.tracefs }), re);
    });
  }

  it('refuses an unknown op or result, and a repeated one', () => {
    throwsEventName(() => resolveEvent('LLC-flushes', { sysfsRoot: trees.noCore, tracefsRoot: trees.tracefs }), /"flushes" is not a cache op/);
    throwsEventName(() => resolveEvent('LLC-load-store', { sysfsRoot: trees.noCore, tracefsRoot: trees.tracefs }), /"store" is not a cache op.*repeats/);
    throwsEventName(() => resolveEvent('LLC-misses-misses', { sysfsRoot: trees.noCore, tracefsRoot: trees.tracefs }), /repeats/);
  });

  it('does not take names that merely start like a cache (L1-dcachex, nodes)', () => {
    assert.equal(parseHwCacheName('L1-dcachex'), undefined);
    assert.equal(parseHwCacheName('nodes'), undefined);
  });

  it('generic hardware names win over cache spellings (branch-misses, branches)', () => {
    assert.equal(resolveEvent('branch-misses', { sysfsRoot: trees.noCore }).attr.type, PERF_TYPE.HARDWARE);
    assert.equal(resolveEvent('branches', { sysfsRoot: trees.noCore }).attr.type, PERF_TYPE.HARDWARE);
  });
});
