/**
 * Fuzz: random attr objects through encodeAttr, the bytes through decodeAttr
 * and the simulated kernel of a random persona (open, a random ioctl, read,
 * mmap, close). Nothing may crash or throw anything but a PerfcompatError (a
 * documented code) or a RangeError from the seam; the kernel answers an fd or
 * an errno; nothing leaks. Reproduce with PERFCOMPAT_FUZZ_SEED=<seed>.
 */
import assert from 'node:assert/strict';
import {
  ATTR_FIELDS, ATTR_FLAGS, AUX_ACTION_FLAGS, encodeAttr, decodeAttr, AttrInput, PERF_IOCTLS, perfIoctl, archAbi, ERRNO,
  PROT_READ, PROT_WRITE, MAP_SHARED,
} from '../../../src/abi';
import { PerfcompatError } from '../../../src/errors';
import { isErr } from '../../../src/sys/kernel';
import { simulate, personaNames, SimKernel } from '../../sim';
import { Prng, fuzzSeed, fuzzCases } from './prng';

const CODES = new Set(['ERR_INVALID_ATTR', 'ERR_ATTR_BEYOND_SIZE', 'ERR_DECODE', 'ERR_INVALID_ARGUMENT']);
const ERRNOS = new Set(Object.values(ERRNO));

const FLAG_NAMES = new Set([...ATTR_FLAGS.map((f) => f.name), ...AUX_ACTION_FLAGS.map((f) => f.name)]);

const NAMES = [
  ...ATTR_FIELDS.flatMap((f) => [f.name, ...(f.aliases ?? [])]),
  ...ATTR_FLAGS.map((f) => f.name), ...AUX_ACTION_FLAGS.map((f) => f.name),
  '__reserved_1', '__reserved_3', 'no_such_field', 'constructor', '__proto__x',
];

function value(r: Prng): unknown {
  if (r.chance(0.75)) return r.pick([0, 1, 1, r.int(4), r.int(1 << 16), r.u64() & 0xffffffffn]);
  switch (r.int(16)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return r.int(8);
    case 3: return r.int(1 << 16);
    case 4: return r.u64();
    case 5: return BigInt.asIntN(64, r.u64());
    case 6: return -r.int(100) - 1;
    case 7: return 2 ** 53 + r.int(10);
    case 8: return 1.5;
    case 9: return r.chance(0.5);
    case 10: return 'x';
    case 11: return undefined;
    case 12: return null;
    case 13: return 1n << BigInt(r.int(80));
    case 14: return NaN;
    default: return r.int(4);
  }
}

function randomAttr(r: Prng): AttrInput {
  const out: Record<string, unknown> = {};
  // Mostly plausible events (so that the kernel's deeper checks are reached).
  if (r.chance(0.8)) {
    out.type = r.pick([0, 1, 1, 1, 2, 3, 4, 5, 8, 9, 77]);
    out.config = r.chance(0.7) ? r.int(12) : value(r);
    if (r.chance(0.7)) out.exclude_kernel = 1;
  }
  const n = r.int(10);
  for (let i = 0; i < n; i++) {
    const name = r.chance(0.95) ? r.pick(NAMES.slice(0, -3)) : r.pick(NAMES);
    out[name] = FLAG_NAMES.has(name) && r.chance(0.9) ? r.int(2) : value(r);
  }
  return out as AttrInput;
}

function checkThrown(e: unknown, where: () => string): void {
  if (e instanceof PerfcompatError) {
    if (!CODES.has(e.code) || e.message.length === 0) assert.fail(`${where()}: undocumented code ${e.code}: ${e.message}`);
    return;
  }
  if (e instanceof RangeError) return;
  throw new assert.AssertionError({ message: `${where()}: threw ${String(e)} (${(e as Error)?.stack ?? ''})` });
}

const show = (attr: AttrInput): string => JSON.stringify(attr, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));

const PERSONAS = personaNames();

function exercise(k: SimKernel, fd: number, r: Prng, where: string): void {
  const arch = archAbi(k.arch);
  const req = r.chance(0.9) ? perfIoctl(r.pick(PERF_IOCTLS).name, arch) : Number(r.u64() & 0xffffffffn);
  const arg = r.chance(0.5) ? r.int(4) : r.bytes(r.int(24));
  try {
    const res = k.ioctl(fd, req, arg);
    if (!('value' in res) && !ERRNOS.has(res.errno)) assert.fail(`${where}: ioctl gave ${JSON.stringify(res)}`);
  } catch (e) { checkThrown(e, () => `${where} ioctl`); }
  const rd = k.read(fd, Buffer.alloc(r.int(200)));
  if (!('bytes' in rd) && !ERRNOS.has(rd.errno)) assert.fail(`${where}: read gave ${JSON.stringify(rd)}`);
  if (r.chance(0.1)) {
    const m = k.mmap(fd, 4096 * (1 + r.int(5)), PROT_READ | (r.chance(0.5) ? PROT_WRITE : 0), r.chance(0.9) ? MAP_SHARED : 2);
    if ('mapping' in m) {
      k.work(r.int(100000));
      assert.deepEqual(k.munmap(m.mapping), { ok: true });
    }
  }
}

describe('fuzz: attr objects through the encoder and the simulated kernel', function () {
  this.timeout(600_000);

  it('never crashes; every failure is a PerfcompatError or a seam RangeError; no fd leaks', () => {
    const cases = fuzzCases(100_000);
    const r = new Prng(fuzzSeed());
    const seed = r.seed;
    console.log(`      attr fuzz: seed ${seed} (PERFCOMPAT_FUZZ_SEED), ${cases} cases`);
    const kernels = new Map(PERSONAS.map((n) => {
      const k = simulate(n, { clock: 'manual' }).kernel;
      k.record = false;
      return [n, k];
    }));
    let encoded = 0, opened = 0, refused = 0;
    for (let i = 0; i < cases; i++) {
      const where = `seed ${seed} case ${i}`; // cheap; the details are built only on failure
      const attr = randomAttr(r);
      const size = r.chance(0.8) ? r.pick([64, 72, 80, 96, 104, 112, 120, 128, 136, 144]) : r.int(5000) - 10;
      const opts = r.chance(0.1) ? { size, sizeField: r.int(300) } : { size };
      let bytes: Buffer;
      try {
        bytes = encodeAttr(attr, opts);
      } catch (e) {
        checkThrown(e, () => `${where} encodeAttr(${show(attr)}, ${JSON.stringify(opts)})`);
        continue;
      }
      encoded++;
      if (bytes.byteLength !== size) assert.fail(`${where}: encoded ${bytes.byteLength} bytes for size ${size}`);
      if (typeof decodeAttr(bytes).type !== 'number') assert.fail(`${where}: decodeAttr lost the type`);
      const k = kernels.get(r.pick(PERSONAS))!;
      const before = k.openFdCount();
      const group = r.chance(0.2) && before > 0 ? k.openFds()[0]! : r.chance(0.02) ? 1000 : -1;
      let res;
      try {
        res = k.perfEventOpen(bytes, r.pick([0, 0, 0, -1, 1234]), r.pick([-1, -1, 0, 1, 5]), group, r.chance(0.9) ? 8 : r.int(64));
      } catch (e) {
        checkThrown(e, () => `${where} perfEventOpen(${show(attr)})`);
        continue;
      }
      if (isErr(res)) {
        refused++;
        if (!ERRNOS.has(res.errno)) assert.fail(`${where}: unknown errno ${res.errno}`);
        if (res.errno === ERRNO.E2BIG && res.attrSize !== k.persona.attrSize) assert.fail(`${where}: E2BIG without the kernel's size`);
        if (k.openFdCount() !== before) assert.fail(`${where}: a refused open left an fd`);
        continue;
      }
      opened++;
      exercise(k, res.fd, r, where);
      // Keep a few open as group leaders, close the rest.
      if (k.openFdCount() > 3) for (const fd of k.openFds()) assert.deepEqual(k.close(fd), { ok: true }, where);
    }
    for (const k of kernels.values()) {
      for (const fd of k.openFds()) k.close(fd);
      assert.equal(k.openFdCount(), 0);
    }
    console.log(`      attr fuzz: ${cases} cases, ${encoded} encoded, ${opened} opened, ${refused} refused with an errno`);
    assert.ok(encoded > cases / 10, 'the generator must produce encodable attrs');
    assert.ok(opened > 0 && refused > 0, 'the kernel must both accept and refuse some');
  });
});
