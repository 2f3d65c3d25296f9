/**
 * Fuzz: random byte strings through the read_format decoder and the record
 * decoders. Every failure must be a PerfcompatError('ERR_DECODE') (or a
 * RangeError); nothing may hang or crash. Reproduce with PERFCOMPAT_FUZZ_SEED.
 */
import assert from 'node:assert/strict';
import { decodeRead, encodeRead, readSize, PERF_RECORD } from '../../../src/abi';
import { decodeRecord, decodeRecords, RecordLayout } from '../../../src/abi/records';
import { PerfcompatError } from '../../../src/errors';
import { Prng, fuzzSeed, fuzzCases } from './prng';

function expectDecodeError(e: unknown, where: string): void {
  if (e instanceof PerfcompatError && (e.code === 'ERR_DECODE' || e.code === 'ERR_INVALID_ARGUMENT')) return;
  if (e instanceof RangeError) return;
  throw new assert.AssertionError({ message: `${where}: threw ${String(e)} (${(e as Error)?.stack ?? ''})` });
}

describe('fuzz: read_format and record decoders', function () {
  this.timeout(600_000);

  it('decodeRead: random bytes and formats decode or throw ERR_DECODE; valid encodings round-trip', () => {
    const cases = fuzzCases(100_000);
    const r = new Prng(fuzzSeed());
    const seed = r.seed;
    let ok = 0;
    for (let i = 0; i < cases; i++) {
      const where = `seed ${seed} case ${i}`;
      const fmt = r.chance(0.9) ? r.int(32) : Number(r.u64() & 0xffn);
      if (r.chance(0.3) && fmt < 32) {
        // A valid result must round-trip exactly.
        const members = (fmt & 8) ? 1 + r.int(5) : 1;
        const result = {
          timeEnabled: r.u64(), timeRunning: r.u64(),
          values: Array.from({ length: members }, () => ({ value: r.u64(), id: r.u64(), lost: r.u64() })),
        };
        const bytes = encodeRead(result, fmt);
        assert.equal(bytes.byteLength, readSize(fmt, members), where);
        const back = decodeRead(bytes, fmt);
        assert.equal(back.values.length, members, where);
        assert.equal(back.values[0]!.value, result.values[0]!.value, where);
        ok++;
        continue;
      }
      const buf = r.bytes(r.int(120));
      const len = r.chance(0.9) ? buf.byteLength : r.int(200) - 20;
      try {
        decodeRead(buf, fmt, len);
        ok++;
      } catch (e) { expectDecodeError(e, where); }
    }
    console.log(`      read_format fuzz: seed ${seed}, ${cases} cases, ${ok} decoded`);
  });

  it('decodeRecord/decodeRecords: random and half-valid records decode or throw ERR_DECODE', () => {
    const cases = fuzzCases(100_000);
    const r = new Prng(fuzzSeed() + 1n);
    const seed = r.seed;
    const types = Object.values(PERF_RECORD as Record<string, number>);
    let ok = 0;
    for (let i = 0; i < cases; i++) {
      const where = `seed ${seed} case ${i}`;
      const layout: RecordLayout = {
        sampleType: r.chance(0.9) ? Number(r.u64() & 0x1ffffffn) : r.u64(),
        readFormat: r.chance(0.9) ? r.int(32) : r.u64(),
        sampleIdAll: r.chance(0.5),
        branchSampleType: r.chance(0.5) ? Number(r.u64() & 0xfffffn) : 0,
        sampleRegsUser: r.chance(0.3) ? r.u64() & 0xffffffn : 0,
        sampleRegsIntr: r.chance(0.3) ? r.u64() & 0xffffffn : 0,
      };
      // A header that names a real type and the true size, then random words.
      const body = 8 * r.int(40);
      const buf = r.bytes(8 + body + (r.chance(0.2) ? r.int(30) : 0));
      if (r.chance(0.8)) {
        const dv = new DataView(buf.buffer);
        dv.setUint32(0, r.chance(0.95) ? r.pick(types) : r.int(70000), true);
        dv.setUint16(6, r.chance(0.9) ? Math.min(8 + body, 0xffff) : r.int(0x10000), true);
        // Small counts in the first words make nested arrays (callchain, branches) plausible.
        for (let w = 8; w + 8 <= buf.byteLength; w += 8) if (r.chance(0.5)) dv.setBigUint64(w, BigInt(r.int(6)), true);
      }
      try {
        if (r.chance(0.5)) decodeRecord(buf, layout, r.chance(0.9) ? 0 : r.int(20));
        else decodeRecords(buf, layout);
        ok++;
      } catch (e) { expectDecodeError(e, where); }
    }
    console.log(`      record fuzz: seed ${seed}, ${cases} cases, ${ok} decoded`);
  });
});
