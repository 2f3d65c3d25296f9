/**
 * Sampling benchmark: records decoded per second by perfcompat's record
 * decoder (and by the ring-buffer read + decode path), against a simple C
 * reader of the same bytes compiled on the spot and run in the same process
 * run. The stream is what a cpu-clock profiler sees: samples with
 * IP|TID|TIME|PERIOD|CALLCHAIN (a 10-frame chain) and sample_id_all, with a
 * COMM record every 64 samples. No assertion: numbers only.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PERF_CONTEXT } from '../src/abi/constants';
import { MMAP_PAGE } from '../src/abi/mmap-page';
import { compileLayout, decodeRecord, RecordLayout } from '../src/abi/records';
import { RecordView } from '../src/abi/record-view';
import { RingBuffer } from '../src/shim/ring-buffer';
import type { BenchResult } from './result';
import { compileC, median } from './c-program';

const SAMPLE_TYPE = 0x1n | 0x2n | 0x4n | 0x100n | 0x20n; // IP|TID|TIME|PERIOD|CALLCHAIN
const LAYOUT: RecordLayout = { sampleType: SAMPLE_TYPE, sampleIdAll: true };
const FRAMES = 10;

/** The record stream: samples with callchains and an occasional COMM, as the kernel lays them out. */
function buildStream(samples: number): Buffer {
  const parts: Buffer[] = [];
  const pid = 4242;
  for (let i = 0; i < samples; i++) {
    if (i % 64 === 0) {
      // COMM: pid, tid, "node\0" padded to 8, then sample_id (tid, time).
      const b = Buffer.alloc(8 + 8 + 8 + 16);
      b.writeUInt32LE(3, 0); b.writeUInt16LE(0, 4); b.writeUInt16LE(b.length, 6);
      b.writeUInt32LE(pid, 8); b.writeUInt32LE(pid, 12);
      b.write('node', 16, 'latin1');
      b.writeUInt32LE(pid, 24); b.writeUInt32LE(pid, 28); b.writeBigUInt64LE(BigInt(i) * 1000n, 32);
      parts.push(b);
    }
    const size = 8 + 8 + 8 + 8 + 8 + 8 + 8 * (FRAMES + 1);
    const b = Buffer.alloc(size);
    let o = 0;
    b.writeUInt32LE(9, o); b.writeUInt16LE(2, o + 4); b.writeUInt16LE(size, o + 6); o += 8;
    const ip = 0x400000n + BigInt((i * 2654435761) % 0x100000);
    b.writeBigUInt64LE(ip, o); o += 8;
    b.writeUInt32LE(pid, o); b.writeUInt32LE(pid, o + 4); o += 8;
    b.writeBigUInt64LE(1_000_000_000n + BigInt(i) * 1_000_000n, o); o += 8;
    b.writeBigUInt64LE(1_000_000n, o); o += 8;
    b.writeBigUInt64LE(BigInt(FRAMES + 1), o); o += 8;
    b.writeBigUInt64LE(PERF_CONTEXT.USER, o); o += 8;
    b.writeBigUInt64LE(ip, o); o += 8;
    for (let f = 1; f < FRAMES; f++) { b.writeBigUInt64LE(0x401000n + BigInt(f * 64), o); o += 8; }
    parts.push(b);
  }
  return Buffer.concat(parts);
}

/** The C reader: load the file, then walk it `loops` times decoding headers and sample fields. */
const C_SOURCE = `
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
struct sample { uint64_t ip; uint32_t pid, tid; uint64_t time, period, nr; uint64_t ips[128]; };
int main(int argc, char **argv) {
  FILE *f = fopen(argv[1], "rb");
  int loops = atoi(argv[2]);
  if (!f) return 1;
  fseek(f, 0, SEEK_END); long len = ftell(f); fseek(f, 0, SEEK_SET);
  unsigned char *buf = malloc(len);
  if (fread(buf, 1, len, f) != (size_t)len) return 1;
  fclose(f);
  struct timespec t0, t1;
  uint64_t check = 0, records = 0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int l = 0; l < loops; l++) {
    long off = 0;
    while (off + 8 <= len) {
      uint32_t type; uint16_t misc, size;
      memcpy(&type, buf + off, 4); memcpy(&misc, buf + off + 4, 2); memcpy(&size, buf + off + 6, 2);
      if (size < 8 || off + size > len) return 2;
      const unsigned char *p = buf + off + 8;
      if (type == 9) {
        struct sample s;
        memcpy(&s.ip, p, 8); p += 8;
        memcpy(&s.pid, p, 4); memcpy(&s.tid, p + 4, 4); p += 8;
        memcpy(&s.time, p, 8); p += 8;
        memcpy(&s.period, p, 8); p += 8;
        memcpy(&s.nr, p, 8); p += 8;
        if (s.nr > 128 || p + 8 * s.nr > buf + off + size) return 3;
        memcpy(s.ips, p, 8 * s.nr);
        check += s.ip + s.time + s.period + s.pid + s.ips[s.nr - 1];
      } else if (type == 3) {
        uint32_t pid; memcpy(&pid, p, 4);
        check += pid + strnlen((const char *)p + 8, size - 16);
      }
      records++;
      off += size;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
  printf("%llu %.0f %llu\\n", (unsigned long long)records, ns, (unsigned long long)(check & 0xffff));
  return 0;
}
`;

/** Records per second of the C reader over the file (median of 3 runs). */
function cRate(bin: string, file: string, loops: number): number {
  const rates = [0, 1, 2].map(() => {
    const [records, ns] = execFileSync(bin, [file, String(loops)], { encoding: 'utf8' }).trim().split(' ').map(Number);
    return records! / (ns! / 1e9);
  });
  return median(rates);
}

/** Median records per second of 3 runs of `walk` (one pass over the stream, returning its record count), `loops` passes a run. */
function rateOf(loops: number, walk: () => number): number {
  const rates: number[] = [];
  for (let run = 0; run < 3; run++) {
    let records = 0;
    const t0 = process.hrtime.bigint();
    for (let l = 0; l < loops; l++) records += walk();
    rates.push(records / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  return median(rates);
}

let sink = 0n;
/** Keep the work observable (the sums are never -1). */
function keep(): void {
  if (sink === -1n) console.log(sink);
}

/** Records per second of decodeRecord over the same bytes. */
function jsDecodeRate(bytes: Buffer, loops: number): number {
  const L = compileLayout(LAYOUT);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rate = rateOf(loops, () => {
    let records = 0;
    let off = 0;
    while (off < bytes.byteLength) {
      const r = decodeRecord(bytes, L, off);
      if (r.kind === 'sample') sink += r.ip! + r.time!;
      off += dv.getUint16(off + 6, true);
      records++;
    }
    return records;
  });
  keep();
  return rate;
}

/** Records per second of a RecordView walk reading the same fields on access (no object per record). */
function jsViewRate(bytes: Buffer, loops: number): number {
  const view = new RecordView(LAYOUT);
  const rate = rateOf(loops, () => {
    let records = 0;
    view.reset(bytes);
    while (view.next()) {
      if (view.isSample) sink += view.ip! + view.time!;
      records++;
    }
    return records;
  });
  keep();
  return rate;
}

let numSink = 0;
/** Records per second of a RecordView walk reading the same fields as numbers (ipNumber, timeNumber: no BigInt per field). */
function jsViewNumberRate(bytes: Buffer, loops: number): number {
  const view = new RecordView(LAYOUT);
  const rate = rateOf(loops, () => {
    let records = 0;
    view.reset(bytes);
    while (view.next()) {
      if (view.isSample) numSink += view.ipNumber! + view.timeNumber!;
      records++;
    }
    return records;
  });
  if (numSink === -1) console.log(numSink);
  return rate;
}

/** Records per second through RingBuffer.readRecords: the bytes are produced into a ring and consumed in chunks. */
function jsRingRate(bytes: Buffer, loops: number): number {
  const page = 4096;
  const dataSize = 64 * page;
  const buffer = new ArrayBuffer(page + dataSize);
  const dv = new DataView(buffer);
  dv.setBigUint64(MMAP_PAGE.data_offset.offset, BigInt(page), true);
  dv.setBigUint64(MMAP_PAGE.data_size.offset, BigInt(dataSize), true);
  const data = new Uint8Array(buffer, page, dataSize);
  const ring = new RingBuffer(buffer, { pageSize: page });
  const L = compileLayout(LAYOUT);
  // Chunks of whole records of about a quarter of the ring (a watermark's worth).
  const chunks: Buffer[] = [];
  const rdv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let off = 0; off < bytes.byteLength;) {
    let end = off;
    while (end < bytes.byteLength && end - off < dataSize / 4) end += rdv.getUint16(end + 6, true);
    chunks.push(bytes.subarray(off, end));
    off = end;
  }
  let head = 0n;
  const rates: number[] = [];
  for (let run = 0; run < 3; run++) {
    let records = 0;
    const t0 = process.hrtime.bigint();
    for (let l = 0; l < loops; l++) {
      for (const c of chunks) {
        // The producer side (what the kernel does): copy at head, wrapping, then publish.
        const start = Number(head % BigInt(dataSize));
        const first = Math.min(c.length, dataSize - start);
        data.set(c.subarray(0, first), start);
        if (first < c.length) data.set(c.subarray(first), 0);
        head += BigInt(c.length);
        dv.setBigUint64(MMAP_PAGE.data_head.offset, head, true);
        records += ring.readRecords(L).length;
      }
    }
    const ns = Number(process.hrtime.bigint() - t0);
    rates.push(records / (ns / 1e9));
  }
  return median(rates);
}

export async function runSamplingBench(): Promise<BenchResult[]> {
  const samples = 20000;
  const bytes = buildStream(samples);
  const records = samples + Math.ceil(samples / 64);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcompat-bench-'));
  try {
    const file = path.join(dir, 'records.bin');
    fs.writeFileSync(file, bytes);
    const bin = compileC(dir, 'read-records', C_SOURCE);
    const cLoops = 50;
    const jsLoops = 5;
    jsDecodeRate(bytes, 1); // warm up the JIT
    const js = jsDecodeRate(bytes, jsLoops);
    jsViewRate(bytes, 1);
    const view = jsViewRate(bytes, jsLoops);
    jsViewNumberRate(bytes, 1);
    const viewNumbers = jsViewNumberRate(bytes, jsLoops);
    const ring = jsRingRate(bytes, jsLoops);
    const c = bin !== null ? cRate(bin, file, cLoops) : undefined;
    const note = `${records} records (${bytes.length} bytes: samples IP|TID|TIME|PERIOD|CALLCHAIN of ${FRAMES + 1} entries + COMM), higher is better; ratio = perfcompat / C`;
    const out: BenchResult[] = [
      { name: 'decodeRecord over a record stream', value: Math.round(js), unit: 'records/s', note },
      { name: 'RecordView over a record stream (ip, time on access)', value: Math.round(view), unit: 'records/s', note },
      { name: 'RecordView, numbers (ipNumber, timeNumber)', value: Math.round(viewNumbers), unit: 'records/s', note },
      { name: 'RingBuffer.readRecords (copy out + decode)', value: Math.round(ring), unit: 'records/s', note },
    ];
    if (c !== undefined) {
      for (const r of out) {
        r.baseline = Math.round(c);
        r.ratio = Number((r.value / c).toFixed(4));
      }
    } else {
      for (const r of out) r.note = `${note}; no C baseline (cc missing)`;
    }
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
