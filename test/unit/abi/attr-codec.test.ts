import assert from 'node:assert/strict';
import {
  ATTR_FIELDS, ATTR_FLAGS, AUX_ACTION_FLAGS, ATTR_SIZE_VERSIONS, fieldWidth, minSizeFor, smallestAttrSize,
} from '../../../src/abi/attr-layout';
import { encodeAttr, decodeAttr, attrSizeField } from '../../../src/abi/attr-codec';
import { PerfcompatError } from '../../../src/errors';

/** A distinct, full-width value for a field, so a wrong offset or width shows. */
function sampleValue(kind: string, salt: number): number | bigint {
  switch (kind) {
    case 'u16': return 0xa500 + salt;
    case 'u32': return 0xc3a50000 + salt;
    case 's32': return -2 - salt;
    default: return 0xf1e2d3c4b5a69788n + BigInt(salt);
  }
}

describe('abi/attr-codec', () => {
  it('lists the size versions 64…144 in order, each 8 bytes apart or more', () => {
    assert.deepEqual(ATTR_SIZE_VERSIONS.map((v) => v.bytes), [64, 72, 80, 96, 104, 112, 120, 128, 136, 144]);
    assert.deepEqual(ATTR_SIZE_VERSIONS.map((v) => v.name), ATTR_SIZE_VERSIONS.map((_, i) => `PERF_ATTR_SIZE_VER${i}`));
  });

  it('lays the fields out without overlap and ends at the newest size', () => {
    const sorted = [...ATTR_FIELDS].sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < sorted.length; i++) {
      assert.equal(sorted[i]!.offset, sorted[i - 1]!.offset + fieldWidth(sorted[i - 1]!.kind), `${sorted[i]!.name} follows ${sorted[i - 1]!.name}`);
    }
    assert.equal(minSizeFor(sorted[sorted.length - 1]!), 144);
  });

  for (const version of ATTR_SIZE_VERSIONS) {
    it(`round-trips every field that fits ${version.name} (${version.bytes} bytes)`, () => {
      const fits = ATTR_FIELDS.filter((f) => minSizeFor(f) <= version.bytes && !['size', 'flags', 'aux_action'].includes(f.name));
      fits.forEach((f, i) => {
        const attr = { [f.name]: sampleValue(f.kind, i) };
        const bytes = encodeAttr(attr, { size: version.bytes });
        assert.equal(bytes.length, version.bytes);
        assert.equal(attrSizeField(bytes), version.bytes);
        const back = decodeAttr(bytes);
        const expected = f.kind === 'u64' ? BigInt(attr[f.name]!) : Number(attr[f.name]);
        assert.equal(back[f.name], expected, f.name);
        // Exact bytes on the way back too.
        assert.deepEqual(encodeAttr(back, { size: version.bytes }), bytes, `${f.name} bytes`);
      });
      // All fields at once.
      const all = Object.fromEntries(fits.map((f, i) => [f.name, sampleValue(f.kind, i)]));
      const bytes = encodeAttr(all, { size: version.bytes });
      assert.deepEqual(encodeAttr(decodeAttr(bytes), { size: version.bytes }), bytes);
    });
  }

  it('round-trips every flag bit and aux_action bit at its position', () => {
    for (const f of ATTR_FLAGS) {
      const max = (1 << f.width) - 1;
      const bytes = encodeAttr({ [f.name]: max }, { size: 64 });
      const word = bytes.readBigUInt64LE(40);
      assert.equal(word, BigInt(max) << BigInt(f.bit), f.name);
      const back = decodeAttr(bytes);
      assert.equal(back[f.name], max);
      for (const g of ATTR_FLAGS) if (g !== f) assert.equal(back[g.name], 0, `${g.name} untouched by ${f.name}`);
    }
    for (const f of AUX_ACTION_FLAGS) {
      const bytes = encodeAttr({ [f.name]: 1 }, { size: 120 });
      assert.equal(bytes.readUInt32LE(116), 1 << f.bit, f.name);
      assert.equal(decodeAttr(bytes)[f.name], 1);
    }
  });

  it('keeps reserved bits through a round trip', () => {
    const bytes = encodeAttr({ flags: (1n << 63n) | 1n, aux_action: 0x80000000 }, { size: 120 });
    const back = decodeAttr(bytes);
    assert.equal(back.__reserved_1, 1n << 23n);
    assert.equal(back.__reserved_3, 0x80000000 >>> 3);
    assert.deepEqual(encodeAttr(back, { size: 120 }), bytes);
  });

  it('decodes union members by the flag that selects them', () => {
    const freq = decodeAttr(encodeAttr({ freq: 1, sample_freq: 4000 }, { size: 64 }));
    assert.equal(freq.sample_freq, 4000n);
    assert.equal('sample_period' in freq, false);
    const wm = decodeAttr(encodeAttr({ watermark: 1, wakeup_watermark: 8192 }, { size: 64 }));
    assert.equal(wm.wakeup_watermark, 8192);
    assert.equal(decodeAttr(encodeAttr({ bp_addr: 0x1000n }, { size: 64 })).config1, 0x1000n);
  });

  it('refuses a non-zero field beyond the chosen size, naming it and the size it needs', () => {
    assert.throws(() => encodeAttr({ config3: 1 }, { size: 128 }), (e: unknown) =>
      e instanceof PerfcompatError && e.code === 'ERR_ATTR_BEYOND_SIZE' && /config3/.test(e.message) && /136/.test(e.message));
    // Zero beyond the size is fine: it is what the smaller kernel assumes.
    assert.equal(encodeAttr({ config3: 0 }, { size: 128 }).length, 128);
  });

  it('rejects bad input with ERR_INVALID_ATTR naming the input', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ bogus: 1 }, /attr\.bogus: unknown field/],
      [{ precise_ip: 4 }, /precise_ip.*0\.\.3/],
      [{ type: -1 }, /attr\.type/],
      [{ type: 2 ** 32 }, /unsigned 32-bit/],
      [{ config: 1.5 }, /attr\.config: expected an integer/],
      [{ clockid: 2 ** 31 }, /signed 32-bit/],
      [{ config1: 1, bp_addr: 2 }, /share storage/],
    ];
    for (const [attr, re] of cases) {
      assert.throws(() => encodeAttr(attr as never, { size: 136 }), (e: unknown) =>
        e instanceof PerfcompatError && e.code === 'ERR_INVALID_ATTR' && re.test(e.message), JSON.stringify(attr, (_k, v) => typeof v === 'bigint' ? String(v) : v));
    }
    assert.throws(() => encodeAttr({}, { size: 63 }), /from 64 to 4096/);
    assert.throws(() => decodeAttr(new Uint8Array(10)), /shorter than PERF_ATTR_SIZE_VER0/);
  });

  it('writes a different size field on request (to test E2BIG handling)', () => {
    const bytes = encodeAttr({ type: 1 }, { size: 144, sizeField: 152 });
    assert.equal(attrSizeField(bytes), 152);
  });

  it('picks the smallest published size that holds every non-zero field', () => {
    assert.equal(smallestAttrSize({ type: 1, config: 1, disabled: 1, sigtrap: 1 }), 64);
    assert.equal(smallestAttrSize({ config2: 1 }), 72);
    assert.equal(smallestAttrSize({ config3: 0, clockid: 1 }), 96);
    assert.equal(smallestAttrSize({ sig_data: 1n }), 128);
    assert.equal(smallestAttrSize({ aux_pause: 1 }), 120);
    assert.equal(smallestAttrSize({ config4: 7n }), 144);
  });
});
