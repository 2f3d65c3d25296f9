import assert from 'node:assert/strict';
import { resolveEvent } from '../../../src/events';
import { PERF_TYPE, HW_BREAKPOINT } from '../../../src/abi/constants';
import { encodeAttr, decodeAttr } from '../../../src/abi/attr-codec';
import { makeTrees, Trees } from './fake-trees';
import { throwsEventName } from './assert-event-error';

describe('events: breakpoints mem:ADDR[/LEN][:rwx]', () => {
  let trees: Trees;
  let o: { sysfsRoot: string; tracefsRoot: string };
  before(() => { trees = makeTrees(); o = { sysfsRoot: trees.noCore, tracefsRoot: trees.tracefs }; });
  after(() => trees.cleanup());

  const CASES: Array<[string, bigint, number, number, string]> = [
    ['mem:0x1000', 0x1000n, 4, HW_BREAKPOINT.RW, 'mem:0x1000/4:rw'],
    ['mem:0x1000/8', 0x1000n, 8, HW_BREAKPOINT.RW, 'mem:0x1000/8:rw'],
    ['mem:0x1000:r', 0x1000n, 4, HW_BREAKPOINT.R, 'mem:0x1000/4:r'],
    ['mem:0x1000:w', 0x1000n, 4, HW_BREAKPOINT.W, 'mem:0x1000/4:w'],
    ['mem:0x1000:wr', 0x1000n, 4, HW_BREAKPOINT.RW, 'mem:0x1000/4:rw'],
    ['mem:0x1000:x', 0x1000n, 8, HW_BREAKPOINT.X, 'mem:0x1000/8:x'],
    ['mem:0x1000/2:w', 0x1000n, 2, HW_BREAKPOINT.W, 'mem:0x1000/2:w'],
    ['mem:4096/1:rw', 0x1000n, 1, HW_BREAKPOINT.RW, 'mem:0x1000/1:rw'],
    ['mem:0xffffffffffffffff', 0xffffffffffffffffn, 4, HW_BREAKPOINT.RW, 'mem:0xffffffffffffffff/4:rw'],
  ];
  for (const [input, addr, len, type, name] of CASES) {
    it(`${input} → addr 0x${addr.toString(16)} len ${len} type ${type}`, () => {
      const ev = resolveEvent(input, o);
      assert.equal(ev.attr.type, PERF_TYPE.BREAKPOINT);
      assert.equal(ev.attr.bp_addr, addr);
      assert.equal(ev.attr.bp_len, BigInt(len));
      assert.equal(ev.attr.bp_type, type);
      assert.equal(ev.attr.sample_period, 1n);
      assert.equal(ev.name, name);
      assert.equal(ev.pmu, 'breakpoint');
    });
  }

  it('encodes: bp_addr and bp_len land in config1 and config2', () => {
    const ev = resolveEvent('mem:0x1234/8:w', o);
    const back = decodeAttr(encodeAttr(ev.attr, { size: 72 }));
    assert.equal(back.config1, 0x1234n);
    assert.equal(back.config2, 8n);
    assert.equal(back.bp_type, HW_BREAKPOINT.W);
  });

  it('takes modifiers after the access, or directly after the address', () => {
    const a = resolveEvent('mem:0x1000:w:u', o);
    assert.equal(a.attr.bp_type, HW_BREAKPOINT.W);
    assert.equal(a.attr.exclude_kernel, 1);
    const b = resolveEvent('mem:0x1000/8:k', o);
    assert.equal(b.attr.bp_type, HW_BREAKPOINT.RW);
    assert.equal(b.attr.exclude_user, 1);
  });

  it('refuses bad addresses, lengths and access specs, naming the part', () => {
    throwsEventName(() => resolveEvent('mem:', o), /breakpoint address "" is not a number/);
    throwsEventName(() => resolveEvent('mem:zz', o), /breakpoint address "zz" is not a number/);
    throwsEventName(() => resolveEvent('mem:0x1000/3', o), /breakpoint length "3" is not one of 1, 2, 4, 8/);
    throwsEventName(() => resolveEvent('mem:0x1000/', o), /breakpoint length "" is not one of/);
    throwsEventName(() => resolveEvent('mem:0x1000:rr', o), /repeats "r"/);
    throwsEventName(() => resolveEvent('mem:0x1000:rq:u', o), /"q" is not r, w or x/);
    throwsEventName(() => resolveEvent('mem:0x1000:r:u:k', o), /too many ":"/);
    throwsEventName(() => resolveEvent('mem:0x1000:q', o), /unknown modifier "q"/);
    throwsEventName(() => resolveEvent('mem:0x10000000000000000', o), /does not fit 64 bits/);
  });
});
