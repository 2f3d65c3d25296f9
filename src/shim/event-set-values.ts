/**
 * EventSet.readValues' reads: every opened event's value with time_enabled,
 * time_running, the scaled estimate and lost where supported (one read() per
 * group on the group path, else one per event), minus an emulated reset's
 * base; an event that was not counted says why (./event-set-groups).
 */
import type { ReadLayout } from '../abi/read-layout';
import { isErr, type Kernel } from '../sys/kernel';
import { counterValue } from './counter-value';
import { notCountedReason, readError, shortRead, type Group, type Member } from './event-set-groups';
import type { CounterValue, EventValue, ReadPath } from './types';

export interface ValueSource {
  kernel: Kernel;
  readPath: ReadPath;
  readFormat: bigint;
  withLost: boolean;
  groups: readonly Group[];
  members: readonly Member[];
  /** Per-event path: the read buffer and its layout. */
  one: Buffer;
  oneDv: DataView;
  oneLayout: ReadLayout;
  /** Raw counts to subtract (per member), after an emulated reset. */
  base: readonly bigint[] | undefined;
}

/** The value of every member, in open order. */
export function readEventValues(s: ValueSource): EventValue[] {
  const out: EventValue[] = new Array(s.members.length);
  const put = (m: Member, raw: CounterValue, bytes = -1): void => {
    const v = s.base && raw.timeRunning > 0n
      ? counterValue(raw.value - (s.base[m.index] ?? 0n), raw.timeEnabled, raw.timeRunning, raw.lost)
      : raw;
    const e: EventValue = { name: m.event.name, group: m.group, ...v };
    if (m.event.substitutedFrom !== undefined) e.substitutedFrom = m.event.substitutedFrom;
    if (m.event.unit !== undefined) e.unit = m.event.unit;
    if (!e.counted) e.notCounted = notCountedReason(m.event.name, s.groups[m.group]!.leader.name, bytes, raw.timeEnabled);
    out[m.index] = e;
  };
  const put0 = (members: readonly Member[], dv: DataView, l: ReadLayout): void => {
    const enabled = dv.getBigUint64(l.timeEnabledOffset, true);
    const running = dv.getBigUint64(l.timeRunningOffset, true);
    members.forEach((m, i) => put(m, counterValue(dv.getBigUint64(l.valueOffsets[i]!, true), enabled, running, s.withLost ? dv.getBigUint64(l.lostOffsets[i]!, true) : undefined)));
  };
  if (s.readPath === 'group') {
    for (const g of s.groups) {
      const r = s.kernel.read(g.leader.fd, g.buf, g.readLen);
      if (isErr(r)) throw readError(g.leader.name, r.errno);
      if (r.bytes === 0) { g.members.forEach((m) => put(m, counterValue(0n, 1n, 0n), 0)); continue; }
      if (r.bytes !== g.readLen) throw shortRead(g.leader.name, r.bytes, g.readLen, s.readFormat);
      put0(g.members, g.dv, g.layout!);
    }
  } else {
    for (const m of s.members) {
      const r = s.kernel.read(m.event.fd, s.one, s.one.byteLength);
      if (isErr(r)) throw readError(m.event.name, r.errno);
      if (r.bytes === 0) { put(m, counterValue(0n, 1n, 0n), 0); continue; }
      if (r.bytes !== s.one.byteLength) throw shortRead(m.event.name, r.bytes, s.one.byteLength, s.readFormat);
      put0([m], s.oneDv, s.oneLayout);
    }
  }
  return out;
}
