/**
 * The exported RealKernel cannot crash Node (issue 16 item 7): each attack
 * runs in a child process, so a regression shows as a signal in the child
 * instead of killing mocha. The child prints one JSON line of what it saw.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { archAbi, perfIoctlTable, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../../src/abi/ioctl';
import { encodeAttr } from '../../../src/abi/attr-codec';
import { PERF_FLAG } from '../../../src/abi/constants';
import { isErr } from '../../../src/sys/kernel';
import { realKernel } from '../../../src/sys/real-kernel';
import * as pkg from '../../../src/index';

const root = path.resolve(__dirname, '../../..');
const ioc = perfIoctlTable(archAbi(process.arch));
/** TIOCINQ/FIONREAD on x86 and arm: a legacy request with no size bits that writes an int. */
const FIONREAD = 0x541b;

/** Runs `body` in a child with `k` (the real kernel), `fd` (an open task-clock), `page` and `out(obj)`. */
function inChild(body: string, nodeArgs: string[] = []): Record<string, unknown> {
  const script = `
    const { realKernel } = require(${JSON.stringify(path.join(root, 'src/sys/real-kernel.js'))});
    const { encodeAttr } = require(${JSON.stringify(path.join(root, 'src/abi/attr-codec.js'))});
    const k = realKernel();
    const r = k.perfEventOpen(encodeAttr({ type: 1, config: 1, disabled: 1, exclude_kernel: 1, exclude_hv: 1 }, { size: 64 }), 0, -1, -1, 8);
    if (r.fd === undefined) { console.log(JSON.stringify({ skip: r.errno })); process.exit(0); }
    const fd = r.fd, page = k.pageSize();
    const caught = (f) => { try { f(); return 'no throw'; } catch (e) { return e.name + (e.code ? '/' + e.code : '') + ': ' + e.message; } };
    const out = (o) => console.log(JSON.stringify(o));
    (async () => { ${body} })().catch((e) => { console.error(e); process.exit(1); });`;
  const res = spawnSync(process.execPath, [...nodeArgs, '-e', script], { encoding: 'utf8', timeout: 30000 });
  assert.equal(res.signal, null, `the child was killed by ${res.signal}: ${res.stderr}`);
  assert.equal(res.status, 0, res.stderr);
  return JSON.parse(res.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

function assertShortNamed(msg: unknown, ...names: RegExp[]): void {
  assert.equal(typeof msg, 'string');
  assert.ok((msg as string).length < 300, `message of ${(msg as string).length} chars`);
  for (const n of names) assert.match(msg as string, n);
}

describe('sys/real-kernel cannot crash Node (this machine)', function () {
  this.timeout(60000);

  it('munmap refuses a forged or altered mapping and unmaps exactly what was mapped', function () {
    const o = inChild(`
      const m = k.mmap(fd, 2 * page, 3, 1, 0).mapping;
      const forged = caught(() => k.munmap({ address: m.address, length: 1 << 30 }));
      const altered = caught(() => k.munmap({ ...m, length: 1 << 30 }));
      const frozen = Object.isFrozen(m);
      const ok = k.munmap(m);
      out({ forged, altered, frozen, ok, again: caught(() => k.munmap(m)) });`);
    if (o.skip !== undefined) this.skip();
    assertShortNamed(o.forged, /^RangeError/, /munmap/, /mapping object returned by this kernel's mmap/);
    assertShortNamed(o.altered, /^RangeError/, /munmap/);
    assert.equal(o.frozen, true);
    assert.deepEqual(o.ok, { ok: true });
    assertShortNamed(o.again, /^RangeError/, /already unmapped/);
  });

  it('after munmap, mapping.buffer throws ERR_CLOSED, older views read zeros, and the perf ring is released', function () {
    const o = inChild(`
      const fs = require('node:fs');
      const m = k.mmap(fd, 2 * page, 3, 1, 0).mapping;
      let view = new BigUint64Array(m.buffer);
      const hex = m.address.toString(16);
      const line = () => fs.readFileSync('/proc/self/maps', 'utf8').split('\\n').find((l) => l.startsWith(hex + '-')) || '';
      const before = line();
      const dataSize = view[131];
      k.munmap(m);
      const buffer = caught(() => m.buffer);
      const after = line();
      const stale = String(view[131]);
      view[0] = 7n; // a write to the placeholder, not to freed memory
      view = undefined;
      let gone = false;
      for (let i = 0; i < 50 && !gone; i++) { global.gc(); await new Promise((r) => setTimeout(r, 20)); gone = line() === ''; }
      out({ before, dataSize: String(dataSize), buffer, after, stale, gone });`, ['--expose-gc']);
    if (o.skip !== undefined) this.skip();
    assert.match(o.before as string, /perf_event/, 'the ring is a perf mapping');
    assert.equal(o.dataSize, String(realKernel().pageSize()), 'data_size was the one data page');
    assertShortNamed(o.buffer, /^PerfcompatError\/ERR_CLOSED/, /buffer used after munmap/);
    assert.doesNotMatch(o.after as string, /perf_event/, 'munmap released the perf ring');
    assert.equal(o.stale, '0');
    assert.equal(o.gone, true, 'the placeholder goes once no view can reach it');
  });

  it('offers no raw address read: bindRead is bounded by the buffer it is given', function () {
    const o = inChild(`
      out({ readAtAddress: typeof k.readAtAddress, bound: caught(() => k.bindRead(fd, Buffer.alloc(8), 64 << 20)), read: k.bindRead(fd, Buffer.alloc(8), 8)() });`);
    if (o.skip !== undefined) this.skip();
    assert.equal(o.readAtAddress, 'undefined');
    assertShortNamed(o.bound, /^RangeError/, /bindRead: length 67108864 outside the 8-byte buffer/);
    assert.equal(o.read, 8);
    for (const name of Object.keys(pkg)) assert.doesNotMatch(name, /address|libc/i, `export ${name}`);
  });

  it('ioctl refuses a request it does not know without argSize, and checks buffers against it', function () {
    const o = inChild(`
      const u8 = new Uint8Array(8);
      out({
        unknown: caught(() => k.ioctl(fd, ${FIONREAD}, u8.subarray(0, 1))),
        short: caught(() => k.ioctl(fd, ${FIONREAD}, u8.subarray(0, 1), 4)),
        intWithSize: caught(() => k.ioctl(fd, ${FIONREAD}, 1234, 4)),
        sized: k.ioctl(fd, ${FIONREAD}, u8.subarray(0, 4), 4),
        untouched: Array.from(u8.subarray(1)),
        idAsInt: caught(() => k.ioctl(fd, ${ioc.id}, 123456)),
        idNull: k.ioctl(fd, ${ioc.id}, 0),
        enableBuf: caught(() => k.ioctl(fd, ${ioc.enable}, u8)),
      });`);
    if (o.skip !== undefined) this.skip();
    assertShortNamed(o.unknown, /^RangeError/, /ioctl 0x541b/, /argSize/);
    assertShortNamed(o.short, /^RangeError/, /ioctl 0x541b: buffer of 1 bytes, argSize says 4/);
    assertShortNamed(o.intWithSize, /^RangeError/, /ioctl 0x541b/, /Uint8Array/);
    assert.ok('errno' in (o.sized as object), `a perf fd has no FIONREAD: ${JSON.stringify(o.sized)}`);
    assert.deepEqual(o.untouched, [0, 0, 0, 0, 0, 0, 0]);
    assertShortNamed(o.idAsInt, /^RangeError/, /ioctl id: argument 123456 is not a buffer/);
    assert.ok('errno' in (o.idNull as object), 'NULL reaches the kernel, which answers EFAULT');
    assertShortNamed(o.enableBuf, /^RangeError/, /ioctl enable: takes an integer argument/);
  });

  it('mmap without prot or flags is a RangeError naming the argument', () => {
    const k = realKernel();
    const r = k.perfEventOpen(encodeAttr({ type: 1, config: 1, disabled: 1, exclude_kernel: 1, exclude_hv: 1 }, { size: 64 }), 0, -1, -1, PERF_FLAG.FD_CLOEXEC);
    assert.ok(!isErr(r));
    try {
      const mmap = k.mmap.bind(k) as (...a: unknown[]) => unknown;
      const msg = (f: () => unknown): string => { try { f(); return 'no throw'; } catch (e) { assert.ok(e instanceof RangeError, String(e)); return e.message; } };
      assertShortNamed(msg(() => mmap(r.fd, 2 * k.pageSize())), /mmap prot: undefined/, /PROT_READ/);
      assertShortNamed(msg(() => mmap(r.fd, 2 * k.pageSize(), PROT_READ | PROT_WRITE)), /mmap flags: undefined/, /MAP_SHARED/);
      assertShortNamed(msg(() => mmap(r.fd, 2 * k.pageSize(), 'rw', MAP_SHARED)), /mmap prot: rw/);
    } finally { k.close(r.fd); }
  });
  it('perf_event_open and close refuse every non-int argument with a RangeError naming it, calling no valueOf', () => {
    const k = realKernel();
    const attr = encodeAttr({ type: 1, config: 1, disabled: 1, exclude_kernel: 1, exclude_hv: 1 }, { size: 64 });
    const open = k.perfEventOpen.bind(k) as (...a: unknown[]) => unknown;
    const close = k.close.bind(k) as (...a: unknown[]) => unknown;
    let valueOfCalls = 0;
    const sly = { valueOf: () => { valueOfCalls++; return 0; } };
    const msg = (f: () => unknown): string => { try { f(); return 'no throw'; } catch (e) { assert.ok(e instanceof RangeError, String(e)); return e.message; } };
    const hostile: unknown[] = [1n, sly, '0', 0.5, NaN, Infinity, 2 ** 31, -(2 ** 31) - 1, null, undefined];
    for (const [i, name] of (['pid', 'cpu', 'group_fd'] as const).entries()) {
      for (const v of hostile) {
        const args: unknown[] = [attr, 0, -1, -1, PERF_FLAG.FD_CLOEXEC];
        args[i + 1] = v;
        assertShortNamed(msg(() => open(...args)), new RegExp(`^perf_event_open ${name}: .* is not a 32-bit integer$`));
      }
    }
    for (const v of [1n, sly, -1, 0.5, NaN, 2 ** 31, '3']) {
      assertShortNamed(msg(() => close(v)), /^close: fd .* is not a valid file descriptor/);
    }
    assert.equal(valueOfCalls, 0, 'an argument check converted an object');
    // The size field is read from bytes 4..7: a size the buffer cannot back is refused before the call.
    const big = new Uint8Array(attr);
    big.set([0, 1, 0, 0], 4); // 256
    assertShortNamed(msg(() => open(big, 0, -1, -1, 0)), /size field says 256 bytes but the buffer holds 64/);
    big.set([0, 0, 0, 0x80], 4); // 2^31: the top byte counts as unsigned
    assertShortNamed(msg(() => open(big, 0, -1, -1, 0)), /size field says 2147483648 bytes but the buffer holds 64/);
    // Extremes that are valid reach the kernel: cpu -2^31 is an invalid cpu (EINVAL), not a RangeError.
    const r = open(attr, 0, -(2 ** 31), -1, PERF_FLAG.FD_CLOEXEC) as { errno?: number; fd?: number };
    if (r.fd !== undefined) k.close(r.fd);
    assert.ok(r.errno !== undefined, 'cpu -2^31 is the kernel\'s to refuse');
  });
});
