import assert from 'node:assert/strict';
import { ATTR_FIELDS, ATTR_FLAGS, AUX_ACTION_FLAGS, ATTR_SIZE_VERSIONS } from '../../../src/abi/attr-layout';
import { encodeAttr, type AttrInput } from '../../../src/abi/attr-codec';
import { referenceEncodeAttr } from '../../helpers/attr-codec-reference';
import { mulberry32 } from '../../helpers/prng';
import { BASES, oracleAttr } from '../../../src/probe/bases';
import { installedCatalogue } from '../../../src/probe/catalogue';
import { simulate } from '../../sim';
import '../../../src/root';

type Outcome = { bytes: string } | { code: unknown; message: string; name: string };

function outcome(fn: () => Buffer): Outcome {
  try {
    return { bytes: fn().toString('hex') };
  } catch (e) {
    const err = e as { code?: unknown; message: string; name: string };
    return { code: err.code, message: err.message, name: err.name };
  }
}

/** The fast encoder gives the reference encoder's bytes, or its error (code and message). */
function same(attr: AttrInput, opts?: { size?: number; sizeField?: number }): void {
  const want = outcome(() => referenceEncodeAttr(attr, opts));
  const got = outcome(() => encodeAttr(attr, opts));
  assert.deepEqual(got, want, `attr ${JSON.stringify(attr, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))} size ${opts?.size}`);
}

const NAMES = [
  ...ATTR_FIELDS.flatMap((f) => [f.name, ...(f.aliases ?? [])]),
  ...ATTR_FLAGS.map((f) => f.name), ...AUX_ACTION_FLAGS.map((f) => f.name), '__reserved_1', '__reserved_3',
];
const SIZES = [undefined, ...ATTR_SIZE_VERSIONS.map((v) => v.bytes)];

function randomValue(rnd: () => number): AttrInput[string] {
  const r = rnd();
  if (r < 0.3) return Math.floor(rnd() * 4);
  if (r < 0.4) return rnd() < 0.5;
  if (r < 0.5) return BigInt(Math.floor(rnd() * 2 ** 53)) * BigInt(Math.floor(rnd() * 4096));
  if (r < 0.6) return Math.floor(rnd() * 2 ** 53);
  if (r < 0.65) return -Math.floor(rnd() * 2 ** 31);
  if (r < 0.7) return 2 ** 31 + Math.floor(rnd() * 2 ** 32);
  if (r < 0.75) return rnd() * 10;
  if (r < 0.8) return undefined;
  if (r < 0.85) return -1n;
  if (r < 0.9) return 1n << 64n;
  return Math.floor(rnd() * 0x10000);
}

describe('abi/attr-codec: the fast encoder against the straightforward one', () => {
  it('encodes every base, oracle form and catalogue attr byte for byte as the reference does, at every size', () => {
    const env = simulate('mainline-6.18').environment;
    const attrs: AttrInput[] = [];
    for (const b of Object.values(BASES)) attrs.push(b, oracleAttr(b));
    for (const d of installedCatalogue().declarations(env)) {
      if (!d.set) continue;
      for (const b of Object.values(BASES)) attrs.push({ ...b, ...d.set }, oracleAttr({ ...b, ...d.set }));
    }
    assert.ok(attrs.length > 100, `only ${attrs.length} attrs from the catalogue`);
    for (const a of attrs) for (const size of SIZES) same(a, size === undefined ? undefined : { size });
  });

  it('gives the same bytes or the same error for 20,000 random attrs (bigints, booleans, aliases, reserved bits, out of range, past the size)', () => {
    const rnd = mulberry32(18);
    for (let i = 0; i < 20000; i++) {
      const attr: Record<string, AttrInput[string]> = {};
      const n = 1 + Math.floor(rnd() * 6);
      for (let j = 0; j < n; j++) attr[NAMES[Math.floor(rnd() * NAMES.length)]!] = randomValue(rnd);
      const size = SIZES[Math.floor(rnd() * SIZES.length)];
      same(attr, rnd() < 0.05 ? { size: size ?? 144, sizeField: 4096 } : size === undefined ? undefined : { size });
    }
  });

  it('keeps the edge cases: union members given twice, an explicit flags word with bits, size written by hand, bad input', () => {
    same({ sample_period: 5, sample_freq: 5 });
    same({ sample_period: 5, sample_freq: 5n });
    same({ sample_period: 5, sample_freq: 6 });
    same({ config1: 2n ** 60n, bp_addr: 2n ** 60n, kprobe_func: 1 });
    same({ flags: 1, disabled: 1, inherit: 1 });
    same({ flags: 2n ** 50n, precise_ip: 3, __reserved_1: 1 });
    same({ aux_action: 8, aux_pause: 1 });
    same({ __reserved_3: 5, aux_resume: 1 }, { size: 120 });
    same({ size: 200, type: 1 });
    same({ size: 200 }, { size: 64, sizeField: 72 });
    same({ clockid: -1, use_clockid: 1 }, { size: 96 });
    same({ clockid: -(2 ** 31) - 1 });
    same({ sig_data: 1 }, { size: 112 });
    same({ precise_ip: 4 });
    same({ precise_ip: 1.5 });
    same({ disabled: 'yes' as unknown as number });
    same({ nonsense: 1 });
    same({ type: 1 }, { size: 63 });
    same(null as unknown as AttrInput);
    const inherited = Object.create({ disabled: 1 }) as Record<string, number>;
    inherited.type = 1;
    same(inherited);
  });
});
