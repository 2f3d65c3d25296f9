import assert from 'node:assert/strict';
import { decodeRead, encodeRead, readSize, ReadResult } from '../../../src/abi/read-format';
import { PERF_FORMAT } from '../../../src/abi/constants';
import { PerfcompatError } from '../../../src/errors';

const { TOTAL_TIME_ENABLED: TE, TOTAL_TIME_RUNNING: TR, ID, GROUP, LOST } = PERF_FORMAT;

describe('abi/read-format', () => {
  // Every combination of the five bits.
  for (let fmt = 0n; fmt < 32n; fmt++) {
    const group = (fmt & GROUP) !== 0n;
    for (const members of group ? [1, 3] : [1]) {
      it(`decodes read_format 0x${fmt.toString(16)} with ${members} value(s)`, () => {
        const words: bigint[] = [];
        const expect: ReadResult = { values: [] };
        if (fmt & TE) expect.timeEnabled = 1000n;
        if (fmt & TR) expect.timeRunning = 600n;
        for (let i = 0; i < members; i++) {
          const v: ReadResult['values'][number] = { value: 100n + BigInt(i) };
          if (fmt & ID) v.id = 7n + BigInt(i);
          if (fmt & LOST) v.lost = 3n + BigInt(i);
          expect.values.push(v);
        }
        // Build the bytes by hand in the kernel's order.
        if (group) {
          words.push(BigInt(members));
          if (fmt & TE) words.push(1000n);
          if (fmt & TR) words.push(600n);
          for (const v of expect.values) { words.push(v.value); if (fmt & ID) words.push(v.id!); if (fmt & LOST) words.push(v.lost!); }
        } else {
          const v = expect.values[0]!;
          words.push(v.value);
          if (fmt & TE) words.push(1000n);
          if (fmt & TR) words.push(600n);
          if (fmt & ID) words.push(v.id!);
          if (fmt & LOST) words.push(v.lost!);
        }
        const buf = Buffer.alloc(words.length * 8);
        words.forEach((w, i) => buf.writeBigUInt64LE(w, i * 8));
        assert.equal(readSize(fmt, members), buf.length);
        assert.deepEqual(decodeRead(buf, fmt), expect);
        assert.deepEqual(encodeRead(expect, fmt), buf);
      });
    }
  }

  it('decodes only the bytes read() returned', () => {
    const buf = Buffer.alloc(64);
    buf.writeBigUInt64LE(42n, 0);
    assert.deepEqual(decodeRead(buf, 0n, 8), { values: [{ value: 42n }] });
  });

  it('throws ERR_DECODE on short, long, corrupt or unknown-format input', () => {
    const isDecode = (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_DECODE';
    assert.throws(() => decodeRead(Buffer.alloc(8), TE), isDecode);
    assert.throws(() => decodeRead(Buffer.alloc(16), 0n), isDecode);
    const huge = Buffer.alloc(16); huge.writeBigUInt64LE(1n << 60n, 0);
    assert.throws(() => decodeRead(huge, GROUP), isDecode);
    assert.throws(() => decodeRead(Buffer.alloc(8), 1n << 5n), isDecode);
    assert.throws(() => decodeRead(Buffer.alloc(8), 0n, 9), isDecode);
  });
});
