/**
 * The simulated ring buffer: the control page (perf_event_mmap_page) and
 * PERF_RECORD_SAMPLE / PERF_RECORD_LOST records written as the kernel's
 * perf_output_sample lays them out, for the sample_type bits of the event.
 */
import {
  MMAP_PAGE, MMAP_CAPABILITIES, PERF_SAMPLE, PERF_FORMAT, PERF_RECORD, PERF_CONTEXT, PERF_RECORD_MISC, encodeRead,
} from '../../src/abi';
import { corePmus, Persona } from './persona';
import { SimEvent, groupOf } from './sim-event';

function put(dv: DataView, field: keyof typeof MMAP_PAGE, v: number | bigint): void {
  const { offset, kind } = MMAP_PAGE[field];
  switch (kind) {
    case 'u16': dv.setUint16(offset, Number(v), true); break;
    case 'u32': dv.setUint32(offset, Number(v), true); break;
    case 's64': dv.setBigInt64(offset, BigInt(v), true); break;
    case 'u64': dv.setBigUint64(offset, BigInt.asUintN(64, BigInt(v)), true); break;
  }
}

/** Fill the control page of a new mapping for this persona and event. */
export function initControlPage(persona: Persona, ev: SimEvent, page: number): void {
  const ring = ev.ring!;
  const dv = new DataView(ring.buffer);
  const core = corePmus(persona).find((c) => c.name === ev.pmu);
  const hw = core !== undefined;
  const names = core ? (core.mmapCaps ?? []) : persona.softwareMmapCaps;
  let caps = 0n;
  for (const c of MMAP_CAPABILITIES) {
    if (c.name === 'cap_bit0') continue;
    if (!persona.features.has(`mmap.${c.name}`)) continue;
    if (c.name === 'cap_bit0_is_deprecated' || names.includes(c.name)) caps |= 1n << BigInt(c.bit);
    // arch_perf_update_userpage (arm_pmuv3.c): cap_user_rdpmc is whether this event asked for user reads and got them.
    if (c.name === 'cap_user_rdpmc' && core?.userRead) caps = ev.userRead ? caps | (1n << BigInt(c.bit)) : caps & ~(1n << BigInt(c.bit));
  }
  if (!persona.features.has('mmap.cap_bit0_is_deprecated') && names.some((n) => n === 'cap_user_time' || n === 'cap_user_rdpmc')) {
    // 3.4–3.11: cap_usr_time and cap_usr_rdpmc sat in a union, both on bit 0 (fixed in 3.12 by moving them up).
    caps |= 1n;
  }
  put(dv, 'version', 0);
  put(dv, 'compat_version', 0);
  put(dv, 'capabilities', caps);
  if (!core?.userRead) put(dv, 'index', hw && names.includes('cap_user_rdpmc') ? 1 : 0);
  const wide = core?.wide !== undefined && ((BigInt(ev.attr.config1 ?? 0) >> BigInt(core.wide.config1Bit)) & 1n) === 1n;
  put(dv, 'pmc_width', core?.userRead ? (ev.userRead ? (wide ? 64 : 32) : 0) : core ? (core.pmcWidth ?? 48) : 0);
  if (caps & (1n << 3n)) {
    put(dv, 'time_shift', 10);
    put(dv, 'time_mult', 1024);
  }
  put(dv, 'size', persona.features.has('mmap.cap_user_time_short') ? 96 : 80);
  if (persona.features.has('mmap.data_offset')) {
    put(dv, 'data_offset', page);
    put(dv, 'data_size', ring.dataPages * page);
  }
  updateControlPage(ev);
}

/** Publish times under the seqlock, as perf_event_update_userpage does. */
export function updateControlPage(ev: SimEvent): void {
  const dv = new DataView(ev.ring!.buffer);
  const lock = dv.getUint32(MMAP_PAGE.lock.offset, true);
  put(dv, 'lock', lock + 1);
  put(dv, 'time_enabled', BigInt(Math.floor(ev.timeEnabled)));
  put(dv, 'time_running', BigInt(Math.floor(ev.timeRunning)));
  // perf_event_index: a user-readable event shows its counter only while it is on one (armv8pmu_user_event_idx).
  if (ev.userRead !== undefined) put(dv, 'index', ev.enabled ? (ev.userIndex ?? 0) : 0);
  put(dv, 'offset', BigInt(Math.floor(ev.count)));
  put(dv, 'lock', lock + 2);
}

function ringOf(ev: SimEvent, lookup: (fd: number) => SimEvent | undefined): SimEvent | undefined {
  if (ev.ring) return ev;
  if (ev.outputTo !== undefined) {
    const t = lookup(ev.outputTo);
    if (t?.ring) return t;
  }
  return undefined;
}

/** The sample_id trailer of non-sample records (sample_id_all). */
function sampleId(ev: SimEvent, timeNs: number): bigint[] {
  const st = BigInt(ev.attr.sample_type ?? 0);
  const out: bigint[] = [];
  if (ev.attr.sample_id_all !== 1) return out;
  if (st & PERF_SAMPLE.TID!) out.push(tidWord());
  if (st & PERF_SAMPLE.TIME!) out.push(BigInt(Math.floor(timeNs)));
  if (st & PERF_SAMPLE.ID!) out.push(ev.id);
  if (st & PERF_SAMPLE.STREAM_ID!) out.push(ev.id);
  if (st & PERF_SAMPLE.CPU!) out.push(0n);
  if (st & PERF_SAMPLE.IDENTIFIER!) out.push(ev.id);
  return out;
}

function tidWord(): bigint {
  const pid = BigInt(process.pid);
  return pid | (pid << 32n);
}

const SAMPLE_IP = 0x401000n;

/** The body of one PERF_RECORD_SAMPLE, as u64 words, in perf_output_sample order. */
export function sampleWords(ev: SimEvent, timeNs: number, period: bigint): bigint[] {
  const st = BigInt(ev.attr.sample_type ?? 0);
  const has = (b: bigint | undefined): boolean => (st & (b ?? 0n)) !== 0n;
  const w: bigint[] = [];
  if (has(PERF_SAMPLE.IDENTIFIER)) w.push(ev.id);
  if (has(PERF_SAMPLE.IP)) w.push(SAMPLE_IP);
  if (has(PERF_SAMPLE.TID)) w.push(tidWord());
  if (has(PERF_SAMPLE.TIME)) w.push(BigInt(Math.floor(timeNs)));
  if (has(PERF_SAMPLE.ADDR)) w.push(0n);
  if (has(PERF_SAMPLE.ID)) w.push(ev.id);
  if (has(PERF_SAMPLE.STREAM_ID)) w.push(ev.id);
  if (has(PERF_SAMPLE.CPU)) w.push(0n);
  if (has(PERF_SAMPLE.PERIOD)) w.push(period);
  if (has(PERF_SAMPLE.READ)) {
    const fmt = BigInt(ev.attr.read_format ?? 0);
    const members = (fmt & PERF_FORMAT.GROUP) ? groupOf(ev) : [ev];
    const bytes = encodeRead({
      timeEnabled: BigInt(Math.floor(ev.timeEnabled)), timeRunning: BigInt(Math.floor(ev.timeRunning)),
      values: members.map((m) => ({ value: BigInt(Math.floor(m.count)), id: m.id, lost: 0n })),
    }, fmt);
    for (let i = 0; i < bytes.byteLength; i += 8) w.push(bytes.readBigUInt64LE(i));
  }
  if (has(PERF_SAMPLE.CALLCHAIN)) w.push(2n, PERF_CONTEXT.USER, SAMPLE_IP);
  if (has(PERF_SAMPLE.RAW)) w.push(4n); // u32 size 4 + 4 zero bytes
  if (has(PERF_SAMPLE.BRANCH_STACK)) {
    w.push(0n);
    if (BigInt(ev.attr.branch_sample_type ?? 0) & (1n << 17n)) w.push(0xffffffffffffffffn);
  }
  if (has(PERF_SAMPLE.REGS_USER)) w.push(0n); // PERF_SAMPLE_REGS_ABI_NONE
  if (has(PERF_SAMPLE.STACK_USER)) w.push(0n); // size 0, no dyn_size
  if (has(PERF_SAMPLE.WEIGHT) || has(PERF_SAMPLE.WEIGHT_STRUCT)) w.push(0n);
  if (has(PERF_SAMPLE.DATA_SRC)) w.push(0n);
  if (has(PERF_SAMPLE.TRANSACTION)) w.push(0n);
  if (has(PERF_SAMPLE.REGS_INTR)) w.push(0n);
  if (has(PERF_SAMPLE.PHYS_ADDR)) w.push(0n);
  if (has(PERF_SAMPLE.CGROUP)) w.push(1n);
  if (has(PERF_SAMPLE.DATA_PAGE_SIZE)) w.push(0n);
  if (has(PERF_SAMPLE.CODE_PAGE_SIZE)) w.push(4096n);
  if (has(PERF_SAMPLE.AUX)) w.push(0n);
  return w;
}

/**
 * Write one record (header + words) at data_head; false when it does not fit.
 * Forward rings stop at data_tail (a writable mapping); read-only rings and
 * write_backward rings overwrite the oldest data. A backward ring moves
 * data_head down and puts the record at the new head.
 */
export function writeRecord(target: SimEvent, type: number, misc: number, words: bigint[]): boolean {
  const ring = target.ring!;
  if (ring.dataPages === 0) return false;
  const dv = new DataView(ring.buffer);
  const page = ring.length / (ring.dataPages + 1);
  const dataSize = ring.dataPages * page;
  const size = 8 + 8 * words.length;
  if (size > 0xffff || size > dataSize) return false;
  const head = dv.getBigUint64(MMAP_PAGE.data_head.offset, true);
  let start: bigint;
  let next: bigint;
  if (ring.backward) {
    next = BigInt.asUintN(64, head - BigInt(size));
    start = next;
  } else {
    const tail = ring.writable ? dv.getBigUint64(MMAP_PAGE.data_tail.offset, true) : head;
    if (ring.writable && BigInt.asUintN(64, head - tail) + BigInt(size) > BigInt(dataSize)) return false;
    start = head;
    next = BigInt.asUintN(64, head + BigInt(size));
  }
  const bytes = new DataView(new ArrayBuffer(size));
  bytes.setUint32(0, type, true);
  bytes.setUint16(4, misc, true);
  bytes.setUint16(6, size, true);
  words.forEach((x, i) => bytes.setBigUint64(8 + 8 * i, BigInt.asUintN(64, x), true));
  const data = new Uint8Array(ring.buffer, page, dataSize);
  const at = Number(start % BigInt(dataSize));
  for (let i = 0; i < size; i++) data[(at + i) % dataSize] = bytes.getUint8(i);
  dv.setBigUint64(MMAP_PAGE.data_head.offset, next, true);
  return true;
}

/**
 * Write the samples `delta` more counted events produce, into the event's
 * ring (or the one it set_output to). A full buffer loses samples; a
 * PERF_RECORD_LOST reports them once there is room again.
 */
export function writeSamples(
  sink: { event(fd: number): SimEvent | undefined },
  ev: SimEvent, delta: number, timeNs: number, honouredPrecise = 0,
): void {
  const period = Number(ev.samplePeriod);
  if (period <= 0) return;
  ev.sinceSample += delta;
  let n = Math.floor(ev.sinceSample / period);
  ev.sinceSample -= n * period;
  const target = ringOf(ev, (fd) => sink.event(fd));
  if (!target) return;
  const ring = target.ring!;
  n = Math.min(n, 10000);
  for (let i = 0; i < n; i++) {
    if (ring.paused) {
      ring.pendingLost++;
      ev.lostSamples++;
      continue;
    }
    if (ring.pendingLost > 0) {
      if (writeRecord(target, PERF_RECORD.LOST!, 0, [ev.id, BigInt(ring.pendingLost), ...sampleId(ev, timeNs)])) ring.pendingLost = 0;
    }
    // A precise level the PMU honours fixes up the IP and says so (PERF_RECORD_MISC_EXACT_IP); an ignored one never does.
    const precise = Number(ev.attr.precise_ip ?? 0);
    const misc = PERF_RECORD_MISC.USER | (precise > 0 && precise <= honouredPrecise ? PERF_RECORD_MISC.EXACT_IP : 0);
    if (!writeRecord(target, PERF_RECORD.SAMPLE!, misc, sampleWords(ev, timeNs, ev.samplePeriod))) {
      ring.pendingLost++;
      ev.lostSamples++;
    }
  }
}
