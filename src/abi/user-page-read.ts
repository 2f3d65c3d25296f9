/**
 * Reading a counter from user space through its mmap control page
 * (struct perf_event_mmap_page), following the seqlock protocol that
 * include/uapi/linux/perf_event.h documents above the struct:
 *
 *   do {
 *     seq = lock;                      barrier
 *     enabled = time_enabled; running = time_running
 *     if (cap_user_time && enabled != running)
 *       cyc = timestamp(); time_offset, time_mult, time_shift (+ time_cycles, time_mask with cap_user_time_short)
 *     idx = index; count = offset
 *     if (cap_user_rdpmc && idx) count += sign_extend(counter(idx - 1), pmc_width)
 *                                      barrier
 *   } while (lock != seq)
 *   if (enabled != running) { delta = time_offset + cyc * time_mult >> time_shift; enabled += delta; if (idx) running += delta }
 *
 * Pure: the page is a DataView, the counter and the timestamp are functions
 * handed in (src/sys/user-counter supplies the native ones). Where the page
 * says no (cap_user_rdpmc clear, index 0, a pmc_width out of 1..64, the
 * pre-3.12 capability layout) or the times need a clock the page does not
 * publish, the answer is a reason, and the caller reads with read().
 */
import { MMAP_PAGE } from './mmap-page';

/** The raw counter n (= index - 1) and the timestamp counter (rdtsc, CNTVCT_EL0). Numbers or bigints, as an FFI returns a u64. */
export interface UserCounterSource {
  counter(n: number): number | bigint;
  timestamp(): number | bigint;
}

/** One user-space read: what read() with TOTAL_TIME_ENABLED | TOTAL_TIME_RUNNING would give at that instant. */
export interface UserPageValue {
  value: bigint;
  timeEnabled: bigint;
  timeRunning: bigint;
  /** Times the lock changed under the read and the loop ran again. */
  retries: number;
}

/** Why a page could not be read from user space; the caller uses read() instead. */
export type UserPageRefusal =
  | 'cap_user_rdpmc is 0'
  | 'index is 0 (counter not on a hardware register now)'
  | 'pre-3.12 capability layout (cap_bit0_is_deprecated is 0)'
  | 'pmc_width out of 1..64'
  | 'multiplexed and cap_user_time is 0'
  | 'lock kept changing';

/** Bits of perf_event_mmap_page.capabilities (uapi). */
const CAP_BIT0_IS_DEPRECATED = 1 << 1;
const CAP_USER_RDPMC = 1 << 2;
const CAP_USER_TIME = 1 << 3;
const CAP_USER_TIME_SHORT = 1 << 5;

/** Loop bound: the kernel updates the page only while this thread is off the CPU, so a few passes always do. */
export const USER_READ_MAX_PASSES = 64;

const LOCK = MMAP_PAGE.lock.offset;
const INDEX = MMAP_PAGE.index.offset;
const OFFSET = MMAP_PAGE.offset.offset;
const ENABLED = MMAP_PAGE.time_enabled.offset;
const RUNNING = MMAP_PAGE.time_running.offset;
const CAPS = MMAP_PAGE.capabilities.offset;
const WIDTH = MMAP_PAGE.pmc_width.offset;
const SHIFT = MMAP_PAGE.time_shift.offset;
const MULT = MMAP_PAGE.time_mult.offset;
const TOFFSET = MMAP_PAGE.time_offset.offset;
const TCYCLES = MMAP_PAGE.time_cycles.offset;
const TMASK = MMAP_PAGE.time_mask.offset;
/** The page up to time_mask, the last field this protocol reads. */
export const USER_PAGE_MIN_BYTES = TMASK + 8;

const big = (v: number | bigint): bigint => (typeof v === 'bigint' ? v : BigInt(v));
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/**
 * Read the counter of one control page into `out`; undefined on success,
 * else why not (nothing in `out` is then meaningful).
 */
export function readUserPage(page: DataView, src: UserCounterSource, out: UserPageValue, maxPasses = USER_READ_MAX_PASSES): UserPageRefusal | undefined {
  if (page.byteLength < USER_PAGE_MIN_BYTES) throw new RangeError(`readUserPage: the view holds ${page.byteLength} bytes; the control page needs ${USER_PAGE_MIN_BYTES}`);
  let enabled = 0n; let running = 0n; let count = 0n; let idx = 0;
  let cyc = 0n; let mult = 0n; let shift = 0n; let tOffset = 0n; let tCycles = 0n; let tMask = 0xffffffffffffffffn;
  let timed = false;
  for (let pass = 0; pass < maxPasses; pass++) {
    const seq = page.getUint32(LOCK, true);
    const caps = page.getUint32(CAPS, true);
    if ((caps & CAP_BIT0_IS_DEPRECATED) === 0) return 'pre-3.12 capability layout (cap_bit0_is_deprecated is 0)';
    if ((caps & CAP_USER_RDPMC) === 0) return 'cap_user_rdpmc is 0';
    enabled = page.getBigUint64(ENABLED, true);
    running = page.getBigUint64(RUNNING, true);
    timed = (caps & CAP_USER_TIME) !== 0 && enabled !== running;
    if (timed) {
      cyc = big(src.timestamp());
      mult = BigInt(page.getUint32(MULT, true));
      shift = BigInt(page.getUint16(SHIFT, true));
      tOffset = page.getBigUint64(TOFFSET, true);
      if ((caps & CAP_USER_TIME_SHORT) !== 0) {
        tCycles = page.getBigUint64(TCYCLES, true);
        tMask = page.getBigUint64(TMASK, true);
      } else { tCycles = 0n; tMask = 0xffffffffffffffffn; }
    }
    idx = page.getUint32(INDEX, true);
    count = page.getBigInt64(OFFSET, true);
    if (idx === 0) return 'index is 0 (counter not on a hardware register now)';
    const width = page.getUint16(WIDTH, true);
    if (width < 1 || width > 64) return 'pmc_width out of 1..64';
    // pmc <<= 64 - width; pmc >>= 64 - width (arithmetic): the low `width` bits, sign-extended.
    count += BigInt.asIntN(width, big(src.counter(idx - 1)));
    if (page.getUint32(LOCK, true) !== seq) continue;
    out.retries = pass;
    if (enabled !== running) {
      if (!timed) return 'multiplexed and cap_user_time is 0';
      // cap_user_time_short: the timestamp is widened from time_cycles; a no-op without it (mask all ones, cycles 0).
      const c = u64(tCycles + u64(u64(cyc - tCycles) & tMask));
      // quot * mult + (rem * mult >> shift) is exactly (c * mult) >> shift; u64 arithmetic as the kernel's.
      const delta = u64(tOffset + ((c * mult) >> shift));
      enabled = u64(enabled + delta);
      running = u64(running + delta); // idx is non-zero here
    }
    out.value = u64(count);
    out.timeEnabled = enabled;
    out.timeRunning = running;
    return undefined;
  }
  return 'lock kept changing';
}

/** A fresh result object for readUserPage. */
export function createUserPageValue(): UserPageValue {
  return { value: 0n, timeEnabled: 0n, timeRunning: 0n, retries: 0 };
}

const TWO32 = 4294967296;
/** 2^w for w = 0..52. */
const POW2 = Array.from({ length: 53 }, (_, w) => 2 ** w);

/** A u64/s64 field as a Number (exact below 2^53). */
const u64At = (page: DataView, at: number): number => page.getUint32(at + 4, true) * TWO32 + page.getUint32(at, true);

const slowValue = createUserPageValue();

/**
 * readUserPage for hot loops, into `out` = [value, timeEnabled, timeRunning]
 * as Numbers (what EventSet.read() returns): the same protocol without
 * BigInt where every quantity is a safe integer and the event is not
 * multiplexed; anything else (times to convert, a 64-bit register past
 * 2^53, a count past 2^53) goes through readUserPage itself.
 */
export function readUserPageNumbers(page: DataView, src: UserCounterSource, out: Float64Array, maxPasses = USER_READ_MAX_PASSES): UserPageRefusal | undefined {
  if (page.byteLength < USER_PAGE_MIN_BYTES || out.length < 3) throw new RangeError(`readUserPageNumbers: a ${USER_PAGE_MIN_BYTES}-byte page view and 3 output slots are needed`);
  for (let pass = 0; pass < maxPasses; pass++) {
    const seq = page.getUint32(LOCK, true);
    const caps = page.getUint32(CAPS, true);
    if ((caps & CAP_BIT0_IS_DEPRECATED) === 0 || (caps & CAP_USER_RDPMC) === 0) break; // readUserPage names the refusal
    const enabled = u64At(page, ENABLED);
    const running = u64At(page, RUNNING);
    if (enabled !== running || !Number.isSafeInteger(enabled)) break;
    const idx = page.getUint32(INDEX, true);
    if (idx === 0) return 'index is 0 (counter not on a hardware register now)';
    const width = page.getUint16(WIDTH, true);
    if (width < 1 || width > 64) break;
    const raw = src.counter(idx - 1);
    let count: number;
    if (typeof raw === 'number' && width !== 53) {
      const offset = page.getInt32(OFFSET + 4, true) * TWO32 + page.getUint32(OFFSET, true);
      let pmc = raw; // width ≥ 54: a register below 2^53 is positive as `width` bits
      if (width <= 52) {
        const m = POW2[width]!;
        if (pmc >= m) pmc %= m; // bits above pmc_width (not set by x86 rdpmc nor a 32-bit arm64 counter)
        if (pmc >= m / 2) pmc -= m; // sign extension from pmc_width
      }
      count = Number.isSafeInteger(offset) ? offset + pmc : NaN;
    } else {
      // A register past 2^53 (arm64 starts a 64-bit counter near 2^63): the sum in BigInt, one call of the stub still.
      count = Number(BigInt.asUintN(64, page.getBigInt64(OFFSET, true) + BigInt.asIntN(width, big(raw))));
    }
    if (page.getUint32(LOCK, true) !== seq) continue;
    if (!Number.isSafeInteger(count) || count < 0) break;
    out[0] = count;
    out[1] = enabled;
    out[2] = running;
    return undefined;
  }
  const r = readUserPage(page, src, slowValue, maxPasses);
  if (r !== undefined) return r;
  out[0] = Number(slowValue.value);
  out[1] = Number(slowValue.timeEnabled);
  out[2] = Number(slowValue.timeRunning);
  return undefined;
}
