/**
 * PerfEvent.attr comes from the plan's attr (openedAttr), not from decoding
 * the bytes planOpen just encoded; it must still say exactly what the bytes say.
 */
import assert from 'node:assert/strict';
import { decodeAttr } from '../../../src/abi/attr-codec';
import { planOpen } from '../../../src/shim/adapt';
import { openedAttr } from '../../../src/shim/opened-attr';
import type { EventSpec } from '../../../src/shim/types';
import { mapWith, supported } from './shim-fixtures';

const SPECS: EventSpec[] = [
  { type: 1, config: 1 },
  { type: 1, config: 0, sample_period: 1000, sample_type: 7n, exclude_kernel: 1, disabled: 1 },
  { type: 1, config: 0, freq: 1, sample_freq: 99, watermark: 1, wakeup_watermark: 4096, use_clockid: 1, clockid: 1 },
  { type: 5, config: 0, bp_type: 3, bp_addr: 0x1000n, bp_len: 8 },
  { type: 2, config: 0xffffffffffffffffn, read_format: 15n, inherit: 1 },
];

describe('shim/openedAttr', () => {
  for (const spec of SPECS) {
    it(`equals decodeAttr of the encoded plan for ${JSON.stringify(spec, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`, () => {
      for (const size of [undefined, 104, 136]) {
        const map = size === undefined ? undefined : mapWith({ 'attr.size': supported(size) });
        const plan = planOpen(spec, map ? { map } : {});
        assert.deepEqual(openedAttr(plan.attr, plan.size), decodeAttr(plan.bytes));
      }
    });
  }
});
