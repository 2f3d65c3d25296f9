/**
 * koffi's ways of calling read() against each other, on the fd of the
 * 1-event EventSet the eventset benchmark reads (a software event,
 * PERF_FORMAT_GROUP): which prototype and argument form costs least per call,
 * and what the value decode after it costs (DataView against typed arrays),
 * with C's read() of its own task-clock event the same way (the eventset
 * benchmark's program) as the floor: a read of one's own running event, as
 * here (a read from another process of an event of a task that is not
 * running is cheaper, and no floor). Rounds alternate between
 * the variants so that each sees the same load; figures are medians, ratios
 * the median of per-round ratios against C. No assertion: numbers only.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import koffi from 'koffi';
import { EventSet } from '../src/shim/event-set';
import type { BenchResult } from './result';
import { compileC, median } from './c-program';
import { cRound, EVENTSET_READ_C } from './eventset.bench';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Fn = (...args: any[]) => any;

interface Variant { name: string; note: string; run: () => number }

function nsPer(iters: number, fn: () => number): number {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iters; i++) sink += fn();
  const ns = Number(process.hrtime.bigint() - t0) / iters;
  if (sink === -1) console.log(sink);
  return ns;
}

function variants(fd: number, len: number): Variant[] {
  const lib = koffi.load('libc.so.6');
  const buf = Buffer.alloc(64);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength); // .buffer: the bytes leave the V8 heap for good
  const w = new Uint32Array(buf.buffer, buf.byteOffset, buf.byteLength >>> 2);
  const q = new BigUint64Array(buf.buffer, buf.byteOffset, buf.byteLength >>> 3);
  const address = Number(koffi.address(buf));
  const bigAddress = koffi.address(buf);
  const readBuf: Fn = lib.func('long read(int fd, void *buf, size_t count)');
  const readAddr: Fn = lib.func('long read(int fd, intptr_t buf, size_t count)');
  const readAddrInt: Fn = lib.func('int read(int fd, intptr_t buf, size_t count)');
  const readBytes: Fn = lib.func('int read(int fd, uint8_t *buf, size_t count)');
  const asPtr = koffi.as(buf, 'uint8_t *');
  const TWO32 = 2 ** 32;
  const valueOff = 24; // nr, time_enabled, time_running, then value
  return [
    { name: 'void * + Buffer, long result', note: 'koffi pins the Buffer each call', run: () => readBuf(fd, buf, len) },
    { name: 'void * + bigint address', note: 'koffi.address(buf) once, passed as a pointer', run: () => readBuf(fd, bigAddress, len) },
    { name: 'uint8_t * + koffi.as(buf)', note: 'the cast made once', run: () => readBytes(fd, asPtr, len) },
    { name: 'intptr_t address, long result', note: 'the address once as a number (EventSet before)', run: () => readAddr(fd, address, len) },
    { name: 'intptr_t address, int result', note: 'ssize_t taken as its low 32 bits (a read here is < 2^31)', run: () => readAddrInt(fd, address, len) },
    { name: 'int result + DataView decode', note: 'value as number: two getUint32', run: () => { readAddrInt(fd, address, len); return dv.getUint32(valueOff + 4, true) * TWO32 + dv.getUint32(valueOff, true); } },
    { name: 'int result + Uint32Array decode', note: 'value as number: two Uint32Array loads', run: () => { readAddrInt(fd, address, len); return w[(valueOff >>> 2) + 1]! * TWO32 + w[valueOff >>> 2]!; } },
    { name: 'int result + BigUint64Array decode', note: 'value as bigint, then Number()', run: () => { readAddrInt(fd, address, len); return Number(q[valueOff >>> 3]!); } },
  ];
}

export async function runKoffiReadBench(opts: { iters?: number; rounds?: number } = {}): Promise<BenchResult[]> {
  const iters = opts.iters ?? 100_000;
  const rounds = opts.rounds ?? 7;
  const set = new EventSet();
  set.add({ type: 1, config: 1, name: 'task-clock' });
  set.start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcompat-bench-'));
  try {
    const fd = set.events[0]!.fd;
    const len = set.readPath === 'group' ? 8 * 5 : 8 * 4; // nr, enabled, running, value, lost | value, enabled, running, lost
    const bin = compileC(dir, 'eventset-read', EVENTSET_READ_C);
    const out = new Float64Array(1);
    const vs = [...variants(fd, len), { name: 'EventSet.read()', note: 'the whole read path, for scale', run: () => set.read(out)[0]! }];
    for (const v of vs) nsPer(iters, v.run); // warm up the JIT
    const times: number[][] = vs.map(() => []);
    const ratios: number[][] = vs.map(() => []);
    const cs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const c = bin ? cRound(bin, 1, iters, set.readPath === 'group') : NaN;
      cs.push(c);
      vs.forEach((v, i) => { const t = nsPer(iters, v.run); times[i]!.push(t); ratios[i]!.push(t / c); });
    }
    return vs.map((v, i) => ({
      name: `koffi read(): ${v.name}`, value: median(times[i]!), unit: 'ns/read',
      ...(bin ? { baseline: median(cs), ratio: median(ratios[i]!) } : {}), note: v.note,
    }));
  } finally {
    set.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
