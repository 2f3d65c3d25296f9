/**
 * read() of a simulated perf fd, as perf_read_one and perf_read_group lay it
 * out for the event's read_format (encodeRead): ENOSPC for a buffer too short
 * for the layout, 0 bytes for an event in error state (a pinned group that
 * could not go on), the leader's times and every member's value for
 * PERF_FORMAT_GROUP; persona quirks may zero counts or show only the leader.
 */
import { PERF_FORMAT, encodeRead, readSize, ReadValue } from '../../src/abi';
import type { ReadResultBytes } from '../../src/sys/kernel';
import { SimEvent, groupOf } from './sim-event';
import { big } from './sim-attr';
import { err } from './sim-errors';
import type { SimState } from './sim-state';

/** Read fd's counts into buf (at most `length` bytes). */
export function readEvent(s: SimState, fd: number, buf: Uint8Array, length: number): ReadResultBytes {
  const ev = s.events.get(fd);
  if (!ev) return err('EBADF');
  const fmt = big(ev.attr.read_format);
  const group = (fmt & PERF_FORMAT.GROUP) !== 0n;
  const members = group ? groupOf(ev) : [ev];
  if (length < readSize(fmt, members.length)) return err('ENOSPC');
  if (ev.leader.errorState || ev.errorState) return { bytes: 0 };
  const zero = new Set(s.persona.quirks.zeroCounts ?? []);
  const value = (e: SimEvent): ReadValue => ({
    value: zero.has(e.kind) ? 0n : BigInt(Math.floor(e.count)), id: e.id, lost: BigInt(e.lostSamples),
  });
  let out: Buffer;
  if (group) {
    const shown = s.persona.quirks.brokenGroupRead ? [ev.leader] : members;
    out = encodeRead({
      timeEnabled: BigInt(Math.floor(ev.leader.timeEnabled)), timeRunning: BigInt(Math.floor(ev.leader.timeRunning)),
      values: shown.map(value),
    }, fmt);
  } else {
    out = encodeRead({
      timeEnabled: BigInt(Math.floor(ev.timeEnabled)), timeRunning: BigInt(Math.floor(ev.timeRunning)), values: [value(ev)],
    }, fmt);
  }
  buf.set(out.subarray(0, Math.min(out.byteLength, length)));
  return { bytes: out.byteLength };
}
