/**
 * readUserPage against control pages built in memory the way the kernel's
 * perf_event_update_userpage fills them (offset = count - the counter's value
 * at the update, times at the update, index = counter + 1), compared with
 * decodeRead of the read() answer for the same instant: the user-space path
 * must give what read() gives.
 */
import assert from 'node:assert/strict';
import { MMAP_CAPABILITIES, MMAP_PAGE, PERF_FORMAT, decodeRead, encodeRead } from '../../../src/abi';
import { createUserPageValue, readUserPage, readUserPageNumbers, USER_PAGE_MIN_BYTES, type UserCounterSource } from '../../../src/abi/user-page-read';

const bit = (name: string): bigint => 1n << BigInt(MMAP_CAPABILITIES.find((c) => c.name === name)!.bit);
const CAPS = bit('cap_bit0_is_deprecated') | bit('cap_user_rdpmc') | bit('cap_user_time');
const FMT = PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING;

function put(dv: DataView, field: keyof typeof MMAP_PAGE, v: number | bigint): void {
  const { offset, kind } = MMAP_PAGE[field];
  if (kind === 'u16') dv.setUint16(offset, Number(v), true);
  else if (kind === 'u32') dv.setUint32(offset, Number(v), true);
  else if (kind === 's64') dv.setBigInt64(offset, BigInt.asIntN(64, BigInt(v)), true);
  else dv.setBigUint64(offset, BigInt.asUintN(64, BigInt(v)), true);
}

/** The state of one event at a kernel update and after it. */
interface Truth {
  width: number;
  /** The counter register (sign-extended) when the kernel last updated the page. */
  prev: bigint;
  /** The event's count at that update. */
  count: bigint;
  enabled: bigint;
  running: bigint;
  /** Events counted since the update. */
  advance: bigint;
  caps?: bigint;
  index?: number;
  /** Clock conversion, cycles at the update and now. */
  time?: { mult: number; shift: number; c0: bigint; c1: bigint; short?: bigint };
}

/** The control page as perf_event_update_userpage leaves it. */
function pageOf(t: Truth): DataView {
  const dv = new DataView(new ArrayBuffer(4096));
  put(dv, 'lock', 2);
  put(dv, 'index', t.index ?? 3);
  put(dv, 'offset', t.count - t.prev);
  put(dv, 'time_enabled', t.enabled);
  put(dv, 'time_running', t.running);
  put(dv, 'capabilities', (t.caps ?? CAPS) | (t.time?.short !== undefined ? bit('cap_user_time_short') : 0n));
  put(dv, 'pmc_width', t.width);
  if (t.time) {
    const { mult, shift, c0 } = t.time;
    put(dv, 'time_mult', mult);
    put(dv, 'time_shift', shift);
    // time_offset is chosen so that time_offset + cyc * mult >> shift is the time since the update (perf_event.h, arch userpage code).
    put(dv, 'time_offset', -((c0 * BigInt(mult)) >> BigInt(shift)));
    if (t.time.short !== undefined) { put(dv, 'time_cycles', c0); put(dv, 'time_mask', t.time.short); }
  }
  return dv;
}

/** The counter register now: the value at the update plus what was counted, as `width` bits. */
function source(t: Truth, onCounter?: (n: number) => void): UserCounterSource & { asked: number[] } {
  const asked: number[] = [];
  return {
    asked,
    counter: (n) => { asked.push(n); onCounter?.(n); return BigInt.asUintN(t.width, t.prev + t.advance); },
    timestamp: () => (t.time?.short !== undefined ? t.time.c1 & t.time.short : t.time?.c1 ?? 0n),
  };
}

/** What read() returns at the same instant, through encodeRead/decodeRead. */
function readAnswer(t: Truth): { value: bigint; enabled: bigint; running: bigint } {
  let since = 0n;
  if (t.time) {
    const { mult, shift, c0, c1 } = t.time;
    since = ((c1 * BigInt(mult)) >> BigInt(shift)) - ((c0 * BigInt(mult)) >> BigInt(shift));
  }
  const r = decodeRead(encodeRead({ values: [{ value: t.count + t.advance }], timeEnabled: t.enabled + since, timeRunning: t.running + since }, FMT), FMT);
  return { value: r.values[0]!.value, enabled: r.timeEnabled!, running: r.timeRunning! };
}

function check(t: Truth): void {
  const out = createUserPageValue();
  const src = source(t);
  assert.equal(readUserPage(pageOf(t), src, out), undefined);
  const want = readAnswer(t);
  assert.deepEqual({ value: out.value, enabled: out.timeEnabled, running: out.timeRunning }, want);
  assert.deepEqual(src.asked, [(t.index ?? 3) - 1], 'the counter read is index - 1');
  // The Number path EventSet.read() takes gives the same answer (as Numbers), whichever way it goes.
  const nums = new Float64Array(3);
  assert.equal(readUserPageNumbers(pageOf(t), source(t), nums), undefined);
  assert.deepEqual(Array.from(nums), [Number(want.value), Number(want.enabled), Number(want.running)]);
}

describe('abi/readUserPage (the control page seqlock protocol)', () => {
  it('gives read()\'s count for a 48-bit counter started below zero (sign extension from pmc_width), before and after it wraps', () => {
    check({ width: 48, prev: -1000n, count: 123_456n, enabled: 5000n, running: 5000n, advance: 400n });
    check({ width: 48, prev: -1000n, count: 123_456n, enabled: 5000n, running: 5000n, advance: 5000n });
  });

  it('gives read()\'s count for 32-bit and 64-bit counters, the 64-bit one past 2^53 (a bigint from the FFI)', () => {
    check({ width: 32, prev: -(1n << 31n) + 7n, count: 1n << 40n, enabled: 9n, running: 9n, advance: (1n << 31n) + 100n });
    check({ width: 64, prev: (1n << 62n) + 3n, count: 77n, enabled: 1n, running: 1n, advance: 1n << 55n });
    // arm64 starts a 64-bit counter at 2^63 + 1 (armpmu_event_set_period: -(max_period >> 1)): a register past 2^53, a small count.
    check({ width: 64, prev: -((1n << 63n) - 1n), count: 1000n, enabled: 1n, running: 1n, advance: 5000n });
  });

  it('reads only the low pmc_width bits of the register: bits above it do not change the count', () => {
    const t: Truth = { width: 40, prev: 10n, count: 1000n, enabled: 1n, running: 1n, advance: 20n };
    const out = createUserPageValue();
    const src = source(t);
    const dirty: UserCounterSource = { counter: (n) => (BigInt(src.counter(n)) | (0xabcn << 50n)), timestamp: src.timestamp };
    assert.equal(readUserPage(pageOf(t), dirty, out), undefined);
    assert.equal(out.value, readAnswer(t).value);
    const nums = new Float64Array(3);
    const dirtyNumber: UserCounterSource = { counter: (n) => Number(src.counter(n)) + 2 ** 45 + 2 ** 41, timestamp: src.timestamp };
    assert.equal(readUserPageNumbers(pageOf(t), dirtyNumber, nums), undefined);
    assert.equal(nums[0], Number(readAnswer(t).value));
  });

  it('adds the time since the update to enabled and running when multiplexed (cap_user_time), and widens a short clock (cap_user_time_short)', () => {
    const time = { mult: 1_398_101, shift: 22, c0: 987_654_321_000n, c1: 987_654_321_000n + 3_000_000n };
    check({ width: 48, prev: 5n, count: 40_000n, enabled: 900_000n, running: 300_000n, advance: 1234n, time });
    check({ width: 48, prev: 5n, count: 40_000n, enabled: 900_000n, running: 300_000n, advance: 1234n, time: { ...time, short: 0xffffffffn } });
  });

  it('reads again when the lock changes under the read, and uses the state the kernel published last', () => {
    const t: Truth = { width: 48, prev: 100n, count: 10_000n, enabled: 50n, running: 50n, advance: 10n };
    const page = pageOf(t);
    const next: Truth = { ...t, prev: 200n, count: 10_110n, enabled: 60n, running: 60n };
    let updated = false;
    const src = source(next, () => {
      if (updated) return;
      updated = true; // the kernel updates the page between our first look and the lock check
      put(page, 'lock', 3);
      put(page, 'offset', next.count - next.prev);
      put(page, 'time_enabled', next.enabled);
      put(page, 'time_running', next.running);
      put(page, 'lock', 4);
    });
    const out = createUserPageValue();
    assert.equal(readUserPage(page, src, out), undefined);
    assert.equal(out.retries, 1);
    const want = readAnswer(next);
    assert.deepEqual({ value: out.value, enabled: out.timeEnabled, running: out.timeRunning }, want);
    assert.equal(src.asked.length, 2);
  });

  it('gives up after a bounded number of passes when the lock never settles', () => {
    const t: Truth = { width: 48, prev: 1n, count: 1n, enabled: 1n, running: 1n, advance: 1n };
    const page = pageOf(t);
    let lock = 2;
    const src = source(t, () => { lock += 2; put(page, 'lock', lock); });
    assert.equal(readUserPage(page, src, createUserPageValue(), 5), 'lock kept changing');
    assert.equal(src.asked.length, 5);
  });

  it('refuses, without touching the counter, where the page says no: index 0, cap_user_rdpmc 0, pmc_width 0, the pre-3.12 layout', () => {
    const base: Truth = { width: 48, prev: 1n, count: 1n, enabled: 1n, running: 1n, advance: 1n };
    const cases: [Truth, RegExp][] = [
      [{ ...base, index: 0 }, /index is 0/],
      [{ ...base, caps: CAPS & ~bit('cap_user_rdpmc') }, /cap_user_rdpmc is 0/],
      [{ ...base, width: 0 }, /pmc_width/],
      [{ ...base, caps: CAPS & ~bit('cap_bit0_is_deprecated') }, /pre-3\.12/],
    ];
    for (const [t, why] of cases) {
      const src = source(t);
      assert.match(readUserPage(pageOf(t), src, createUserPageValue()) ?? '', why);
      assert.match(readUserPageNumbers(pageOf(t), src, new Float64Array(3)) ?? '', why);
      assert.deepEqual(src.asked, [], 'no counter instruction where the kernel did not grant it');
    }
  });

  it('refuses a multiplexed event when the page publishes no clock (cap_user_time 0): read() must scale it', () => {
    const t: Truth = { width: 48, prev: 1n, count: 1n, enabled: 10n, running: 5n, advance: 1n, caps: CAPS & ~bit('cap_user_time') };
    assert.match(readUserPage(pageOf(t), source(t), createUserPageValue()) ?? '', /cap_user_time is 0/);
  });

  it('rejects a view shorter than the fields it reads', () => {
    assert.throws(() => readUserPage(new DataView(new ArrayBuffer(USER_PAGE_MIN_BYTES - 1)), source({ width: 1, prev: 0n, count: 0n, enabled: 0n, running: 0n, advance: 0n }), createUserPageValue()), RangeError);
  });
});
