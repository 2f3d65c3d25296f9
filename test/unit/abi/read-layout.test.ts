import assert from 'node:assert/strict';
import {
  bindReadNumbers, compileReadLayout, createReadNumbers, createReadWords, decodeReadNumbers, decodeReadWords, MAX_READ_MEMBERS,
} from '../../../src/abi/read-layout';
import { decodeRead, readSize } from '../../../src/abi/read-format';
import { PERF_FORMAT } from '../../../src/abi/constants';
import { PerfcompatError } from '../../../src/errors';

const { TOTAL_TIME_ENABLED: TE, TOTAL_TIME_RUNNING: TR, ID, GROUP, LOST } = PERF_FORMAT;

type Label = 'nr' | 'time_enabled' | 'time_running' | `value${number}` | `id${number}` | `lost${number}`;

/**
 * The words of one read in the order of perf_event.h's `struct read_format`
 * comment, built from those rules alone: without GROUP value, time_enabled,
 * time_running, id, lost; with GROUP nr, time_enabled, time_running, then
 * per member value, id, lost. Values distinct per word; some above 2^32.
 */
function kernelWords(fmt: bigint, members: number): [Label, bigint][] {
  const w: [Label, bigint][] = [];
  const group = (fmt & GROUP) !== 0n;
  if (group) w.push(['nr', BigInt(members)]);
  else w.push(['value0', 0x1_0000_0005n]);
  if (fmt & TE) w.push(['time_enabled', 0x2_0000_1000n]);
  if (fmt & TR) w.push(['time_running', 0x2_0000_0600n]);
  for (let i = 0; i < members; i++) {
    if (group) w.push([`value${i}`, 0x1_0000_0100n + BigInt(i)]);
    if (fmt & ID) w.push([`id${i}`, 70n + BigInt(i)]);
    if (fmt & LOST) w.push([`lost${i}`, 30n + BigInt(i)]);
  }
  return w;
}

function bytesOf(words: [Label, bigint][]): Buffer {
  const buf = Buffer.alloc(words.length * 8);
  words.forEach(([, v], i) => buf.writeBigUInt64LE(v, i * 8));
  return buf;
}

const offsetOf = (words: [Label, bigint][], label: Label): number => words.findIndex(([l]) => l === label) * 8;

describe('abi/read-layout', () => {
  for (let fmt = 0n; fmt < 32n; fmt++) {
    const group = (fmt & GROUP) !== 0n;
    for (const members of group ? [1, 2, 3, 4] : [1]) {
      it(`read_format 0x${fmt.toString(16)}, ${members} member(s): the kernel's byte order, and the same answer as decodeRead`, () => {
        const words = kernelWords(fmt, members);
        const buf = bytesOf(words);
        const L = compileReadLayout(fmt, members);
        assert.equal(L.size, buf.length);
        assert.equal(L.size, readSize(fmt, members));
        assert.equal(L.group, group);
        assert.equal(L.members, members);
        assert.equal(L.nrOffset, group ? offsetOf(words, 'nr') : -1);
        assert.equal(L.timeEnabledOffset, fmt & TE ? offsetOf(words, 'time_enabled') : -1);
        assert.equal(L.timeRunningOffset, fmt & TR ? offsetOf(words, 'time_running') : -1);
        const each = (p: 'value' | 'id' | 'lost'): number[] => Array.from({ length: members }, (_, i) => offsetOf(words, `${p}${i}`));
        assert.deepEqual(L.valueOffsets, each('value'));
        assert.deepEqual(L.idOffsets, fmt & ID ? each('id') : []);
        assert.deepEqual(L.lostOffsets, fmt & LOST ? each('lost') : []);

        const slow = decodeRead(buf, fmt);
        const w = decodeReadWords(L, buf, createReadWords(L));
        assert.equal(w.timeEnabled, slow.timeEnabled ?? 0n);
        assert.equal(w.timeRunning, slow.timeRunning ?? 0n);
        assert.deepEqual([...w.values], slow.values.map((v) => v.value));
        assert.deepEqual([...w.ids], slow.values.map((v) => v.id ?? 0n));
        assert.deepEqual([...w.lost], slow.values.map((v) => v.lost ?? 0n));

        const n = decodeReadNumbers(L, new DataView(buf.buffer, buf.byteOffset, buf.byteLength), createReadNumbers(L));
        assert.equal(n.timeEnabled, Number(slow.timeEnabled ?? 0n));
        assert.equal(n.timeRunning, Number(slow.timeRunning ?? 0n));
        assert.deepEqual([...n.values], slow.values.map((v) => Number(v.value)));
        assert.deepEqual([...n.ids], slow.values.map((v) => Number(v.id ?? 0n)));
        assert.deepEqual([...n.lost], slow.values.map((v) => Number(v.lost ?? 0n)));
      });
    }
  }

  it('fills the caller\'s storage again on every read (same object, new values)', () => {
    const fmt = GROUP | TE | TR | LOST;
    const L = compileReadLayout(fmt, 2);
    const words = createReadWords(L);
    const nums = createReadNumbers(L);
    const first = bytesOf(kernelWords(fmt, 2));
    assert.equal(decodeReadWords(L, first, words), words);
    assert.equal(decodeReadNumbers(L, first, nums), nums);
    const second = Buffer.from(first);
    second.writeBigUInt64LE(9n, L.valueOffsets[1]!);
    second.writeBigUInt64LE(4n, L.lostOffsets[0]!);
    decodeReadWords(L, second, words);
    decodeReadNumbers(L, second, nums);
    assert.deepEqual(decodeRead(second, fmt).values.map((v) => v.value), [...words.values]);
    assert.equal(words.values[1], 9n);
    assert.equal(words.lost[0], 4n);
    assert.equal(nums.values[1], 9);
    assert.equal(nums.lost[0], 4);
  });

  describe('bindReadNumbers: the numbers decodeReadNumbers gives, read after read into one buffer', () => {
    /** `bytes` at byte `shift` of a fresh buffer (shift 0: the 32-bit word path; odd: the DataView one). */
    const placed = (bytes: Buffer, shift: number): Uint8Array => {
      const out = new Uint8Array(new ArrayBuffer(bytes.length + shift + 8), shift, bytes.length + 8);
      out.set(bytes);
      return out;
    };
    for (let fmt = 0n; fmt < 32n; fmt++) {
      for (const members of (fmt & GROUP) !== 0n ? [1, 3] : [1]) {
        for (const shift of [0, 4, 1, 3]) {
          it(`read_format 0x${fmt.toString(16)}, ${members} member(s), buffer at byte ${shift}`, () => {
            const L = compileReadLayout(fmt, members);
            const words = kernelWords(fmt, members);
            const buf = placed(bytesOf(words), shift);
            const out = createReadNumbers(L);
            const decode = bindReadNumbers(L, buf, out);
            // Two reads, the second with other values (one above 2^52): the bound decoder sees each.
            for (const bump of [0n, 0x1f_0000_0000_0001n]) {
              const now = bytesOf(words.map(([l, v]) => [l, l === 'nr' ? v : v + bump]));
              buf.set(now);
              const want = decodeReadNumbers(L, now, createReadNumbers(L));
              assert.equal(decode(), out);
              assert.deepEqual({ ...out, values: [...out.values], ids: [...out.ids], lost: [...out.lost] },
                { ...want, values: [...want.values], ids: [...want.ids], lost: [...want.lost] });
            }
          });
        }
      }
    }
    it('checks nr in each read, as decodeReadNumbers does', () => {
      for (const shift of [0, 1]) {
        const L = compileReadLayout(GROUP | TE, 2);
        const buf = placed(bytesOf(kernelWords(GROUP | TE, 2)), shift);
        const decode = bindReadNumbers(L, buf, createReadNumbers(L));
        decode();
        for (const nr of [3n, 1n << 32n]) {
          new DataView(buf.buffer, buf.byteOffset).setBigUint64(0, nr, true);
          assert.throws(decode, (e: unknown) => e instanceof RangeError && e.message.includes(`buf says nr ${Number(nr)}`));
        }
      }
    });
    it('refuses at bind time what decodeReadNumbers refuses at decode time', () => {
      const L = compileReadLayout(GROUP | TE, 2);
      assert.throws(() => bindReadNumbers(L, Buffer.alloc(L.size - 8), createReadNumbers(L)), /buf holds 24 bytes/);
      assert.throws(() => bindReadNumbers(L, Buffer.alloc(64), createReadNumbers(compileReadLayout(GROUP, 1))), /out holds 1 values/);
      assert.throws(() => bindReadNumbers(L, new DataView(new ArrayBuffer(64)) as unknown as Uint8Array, createReadNumbers(L)), /buf must be a Uint8Array/);
    });
  });

  it('decodes from a longer buffer when length says how much read() returned', () => {
    const L = compileReadLayout(TE | TR);
    const buf = Buffer.alloc(64);
    buf.writeBigUInt64LE(5n, 0);
    assert.equal(decodeReadWords(L, buf, createReadWords(L), 24).values[0], 5n);
  });

  it('decodeRead refuses a group count above MAX_READ_MEMBERS as ERR_DECODE, and still takes a group of 0', () => {
    const big = Buffer.alloc(8 * (MAX_READ_MEMBERS + 2));
    big.writeBigUInt64LE(BigInt(MAX_READ_MEMBERS + 1), 0);
    assert.throws(() => decodeRead(big, GROUP), (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_DECODE');
    const empty = bytesOf([['nr', 0n], ['time_enabled', 8n]]);
    assert.deepEqual(decodeRead(empty, GROUP | TE), { timeEnabled: 8n, values: [] });
  });

  describe('bad input is a RangeError naming the argument', () => {
    const throwsNaming = (fn: () => unknown, name: RegExp): void => {
      assert.throws(fn, (e: unknown) => e instanceof RangeError && name.test(e.message));
    };
    it('readFormat: unknown bits, negative, not an integer', () => {
      throwsNaming(() => compileReadLayout(1n << 5n), /readFormat 0x20/);
      throwsNaming(() => compileReadLayout(-1), /readFormat/);
      throwsNaming(() => compileReadLayout(1.5), /readFormat/);
      throwsNaming(() => compileReadLayout('3' as unknown as number), /readFormat/);
    });
    it('members: zero, negative, fractional, huge, or more than 1 without GROUP', () => {
      for (const m of [0, -1, 1.5, MAX_READ_MEMBERS + 1, Number.MAX_SAFE_INTEGER, NaN]) {
        throwsNaming(() => compileReadLayout(GROUP, m), /members/);
      }
      throwsNaming(() => compileReadLayout(TE, 2), /members 2 without PERF_FORMAT_GROUP/);
      assert.equal(compileReadLayout(GROUP, MAX_READ_MEMBERS).members, MAX_READ_MEMBERS);
    });
    it('length and buf: short, long, or a group whose nr is not the layout\'s', () => {
      const L = compileReadLayout(GROUP | ID, 2);
      const good = bytesOf(kernelWords(GROUP | ID, 2));
      throwsNaming(() => decodeReadWords(L, good.subarray(0, 16), createReadWords(L)), /buf holds 16 bytes, the layout needs 40/);
      throwsNaming(() => decodeReadNumbers(L, good, createReadNumbers(L), 8), /length 8/);
      throwsNaming(() => decodeReadWords(L, Buffer.alloc(64), createReadWords(L), 48), /length 48/);
      const wrongNr = Buffer.from(good); wrongNr.writeBigUInt64LE(3n, 0);
      throwsNaming(() => decodeReadWords(L, wrongNr, createReadWords(L)), /buf says nr 3/);
      throwsNaming(() => decodeReadWords(L, 'x' as unknown as Uint8Array, createReadWords(L)), /buf must be/);
    });
    it('out: storage made for a smaller layout', () => {
      const L = compileReadLayout(GROUP, 3);
      throwsNaming(() => decodeReadWords(L, bytesOf(kernelWords(GROUP, 3)), createReadWords(compileReadLayout(GROUP, 1))), /out holds 1 values/);
    });
  });
});
