/**
 * The groups of an EventSet and what reading them needs: the member and group
 * records, the bound PERF_FORMAT_GROUP read of a group, the read errors, and
 * what a value that was not counted reads as.
 *
 * Not counted: an event (or a whole group) that was enabled but never put on
 * the PMU — time_enabled > 0 with time_running 0, or a read of 0 bytes (a
 * pinned group in error state) — has no count. It is never 0: read() gives
 * NOT_COUNTED (-1, a count is never negative, and it survives JSON), and
 * readValues() gives counted: false with `notCounted` saying why (scaled is
 * 0n there and means nothing), as the counters provider reports `missing`.
 */
import { bindReadNumbers, compileReadLayout, createReadNumbers, type ReadLayout, type ReadNumbers } from '../abi/read-layout';
import { errnoName } from '../abi/errno';
import { PerfcompatError } from '../errors';
import type { Kernel } from '../sys/kernel';
import { bindRead, BoundRead } from '../sys/fast-read';
import type { PerfEvent } from './perf-event';

/** What read() gives for an event that was not counted (never a count: counts are not negative). */
export const NOT_COUNTED = -1;

export interface Member {
  event: PerfEvent;
  /** Its position among the set's events (open order: a generic event on several core PMUs has one per PMU, ./event-set-parts). */
  index: number;
  /** Index of its scheduling group in groupList. */
  group: number;
  /** software or a hardware PMU context. */
  context: string;
}

export interface Group {
  leader: PerfEvent;
  members: Member[];
  /** Hardware PMU context of the group, or undefined while it holds only software events. */
  hwContext: string | undefined;
  hwCount: number;
  /** Hardware events other than cycles. */
  gpCount: number;
  /** Group read buffer. */
  buf: Buffer;
  dv: DataView;
  readLen: number;
  /** The compiled PERF_FORMAT_GROUP layout of the group and its reused decode storage. */
  layout: ReadLayout | undefined;
  numbers: ReadNumbers | undefined;
  /** read(leader, buf, readLen), bound once per size. */
  readGroup: BoundRead;
  /** Decode what readGroup left in buf into `numbers` (bindReadNumbers), bound with it. */
  decode: () => ReadNumbers;
}

export type GroupRead = Pick<Group, 'layout' | 'numbers' | 'readLen' | 'buf' | 'dv' | 'readGroup' | 'decode'>;

/** Group path only: the buffer and bound read() of one PERF_FORMAT_GROUP read of `members` events led by `leader`. */
export function groupReadOf(kernel: Kernel, readFormat: bigint, leader: PerfEvent, members: number, buf: Buffer | undefined): GroupRead {
  const layout = compileReadLayout(readFormat, members);
  const readLen = layout.size;
  const b = buf && buf.byteLength >= readLen ? buf : Buffer.alloc(Math.max(readLen, 64));
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const numbers = createReadNumbers(layout);
  return { layout, numbers, readLen, buf: b, dv, readGroup: bindRead(kernel, leader.fd, b, readLen), decode: bindReadNumbers(layout, b, numbers) };
}

/** Record an opened event in `group` (or in a new group it leads) and return its member record. Never throws. */
export function commitMember(groups: Group[], group: Group | undefined, m: Omit<Member, 'group'>, general: boolean, read: GroupRead | undefined): Member {
  const member: Member = { ...m, group: group ? groups.indexOf(group) : groups.length };
  const hw = m.context !== 'software';
  if (group) {
    group.members.push(member);
    if (hw) {
      group.hwContext ??= m.context;
      group.hwCount++;
      if (general) group.gpCount++;
    }
    if (read) Object.assign(group, read);
  } else {
    groups.push({
      leader: m.event, members: [member], hwContext: hw ? m.context : undefined, hwCount: hw ? 1 : 0, gpCount: general ? 1 : 0,
      buf: Buffer.alloc(0), dv: new DataView(new ArrayBuffer(0)), readLen: 0, readGroup: () => 0, layout: undefined, numbers: undefined, decode: noGroupRead, ...read,
    });
  }
  return member;
}

/** The decode of a group with no group read bound yet: its readGroup gives 0 bytes, so nothing decodes. */
function noGroupRead(): never {
  throw new PerfcompatError('ERR_DECODE', 'EventSet: a group read was decoded before it was bound');
}

/** Why an event has no count: its read gave no bytes, or it was enabled and never ran. */
export function notCountedReason(name: string, group: string, bytes: number, timeEnabled: bigint): string {
  return bytes === 0
    ? `${name}: the read of the group led by ${group} returned no data (a pinned group in error state: it could not be put on the PMU) — not counted`
    : `${name}: enabled for ${timeEnabled} ns but never put on the PMU (time_running 0: its group did not fit the counters, or they are held elsewhere) — not counted`;
}

export function readError(name: string, errno: number): PerfcompatError {
  return new PerfcompatError('ERR_KERNEL', `EventSet.read(): read of ${name} failed with ${errnoName(errno)}`, { errno, errnoName: errnoName(errno) });
}

export function shortRead(name: string, got: number, want: number, readFormat: bigint): PerfcompatError {
  return new PerfcompatError('ERR_DECODE', `EventSet.read(): ${name} returned ${got} bytes, ${want} expected for read_format 0x${readFormat.toString(16)}`);
}
