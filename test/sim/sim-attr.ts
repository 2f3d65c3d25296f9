/**
 * perf_copy_attr for a persona's feature set: the size (E2BIG with the
 * kernel's size written back when the user's struct is larger and its tail is
 * not zero), fields and flag bits the kernel does not have (EINVAL), reserved
 * bits, and the sample_type, read_format, branch_sample_type and clockid
 * values it knows. The kernel then sees its own struct, zeros beyond what the
 * user passed.
 */
import {
  ATTR_FLAGS, ATTR_FIELDS, AUX_ACTION_FLAGS, ATTR_SIZE_VER0, fieldWidth, minSizeFor, decodeAttr, DecodedAttr,
  READ_FORMAT, SAMPLE_TYPE, BRANCH_SAMPLE_TYPE, PERF_SAMPLE, CLOCK_IDS,
} from '../../src/abi';
import type { Persona } from './persona';
import { fail } from './sim-errors';

/** An attr field as a bigint (0 when absent). */
export function big(v: number | bigint | undefined): bigint {
  return v === undefined ? 0n : BigInt(v);
}

function isZero(b: Uint8Array, off: number, len: number): boolean {
  for (let i = off; i < off + len && i < b.byteLength; i++) if (b[i] !== 0) return false;
  return true;
}

function knownBits(p: Persona, ids: readonly { name: string; bit: number }[], prefix: string): bigint {
  let m = 0n;
  for (const b of ids) if (p.features.has(`${prefix}.${b.name}`)) m |= 1n << BigInt(b.bit);
  return m;
}

/** perf_copy_attr: size, reserved and unknown bits. Writes the kernel's size back on E2BIG. */
export function simCopyAttr(p: Persona, bytes: Uint8Array): DecodedAttr {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let size = dv.getUint32(4, true);
  const e2big = (): never => {
    dv.setUint32(4, p.attrSize, true);
    fail('E2BIG');
  };
  if (size > 4096) e2big();
  if (size === 0) size = ATTR_SIZE_VER0;
  if (size < ATTR_SIZE_VER0) e2big();
  if (size > p.attrSize) {
    for (let i = p.attrSize; i < size; i++) if (bytes[i] !== 0) e2big();
  }
  // The kernel sees its own struct: the user's bytes up to min(size, its size), zeros beyond.
  const mine = new Uint8Array(Math.max(p.attrSize, ATTR_SIZE_VER0));
  mine.set(bytes.subarray(0, Math.min(size, p.attrSize)));
  new DataView(mine.buffer).setUint32(4, size, true);
  // Fields this kernel does not have (compiled out or not yet added) must be zero.
  for (const f of ATTR_FIELDS) {
    if (minSizeFor(f) > mine.byteLength) continue;
    if (f.name === 'sample_max_stack' || f.name === '__reserved_2' || f.name === 'aux_action') continue;
    if (f.mainline === '2.6.31' || p.features.has(`attr.${f.name}`)) continue;
    if (!isZero(mine, f.offset, fieldWidth(f.kind))) fail('EINVAL');
  }
  // __reserved_2 (and sample_max_stack before it existed) were not checked before check.reserved_2.
  if (!p.features.has('attr.sample_max_stack')) {
    if (p.features.has('check.reserved_2') && !isZero(mine, 108, 2)) fail('EINVAL');
    mine.fill(0, 108, 110);
  }
  if (mine.byteLength >= 112) {
    if (p.features.has('check.reserved_2') && !isZero(mine, 110, 2)) fail('EINVAL');
    mine.fill(0, 110, 112);
  }
  const attr = decodeAttr(mine);
  const flagsWord = mine.byteLength >= 48 ? new DataView(mine.buffer).getBigUint64(40, true) : 0n;
  let knownFlags = 0n;
  for (const f of ATTR_FLAGS) {
    if (p.features.has(`attr.${f.name}`)) knownFlags |= ((1n << BigInt(f.width)) - 1n) << BigInt(f.bit);
  }
  if (flagsWord & ~knownFlags) fail('EINVAL');
  if (mine.byteLength >= 120) {
    const aux = new DataView(mine.buffer).getUint32(116, true);
    let knownAux = 0;
    for (const f of AUX_ACTION_FLAGS) if (p.features.has(`attr.${f.name}`)) knownAux |= 1 << f.bit;
    if ((aux & ~knownAux) !== 0) fail('EINVAL');
  }
  const sampleType = big(attr.sample_type);
  if (sampleType & ~knownBits(p, SAMPLE_TYPE, 'sample_type')) fail('EINVAL');
  const readFormat = big(attr.read_format);
  if (readFormat & ~knownBits(p, READ_FORMAT, 'read_format')) fail('EINVAL');
  if (sampleType & PERF_SAMPLE.BRANCH_STACK!) {
    const bst = big(attr.branch_sample_type);
    if (bst & ~knownBits(p, BRANCH_SAMPLE_TYPE, 'branch_sample_type')) fail('EINVAL');
    // Some branch type must be asked for (the privilege bits alone are not enough).
    if ((bst & ~0x7n) === 0n) fail('EINVAL');
  }
  if (sampleType & PERF_SAMPLE.REGS_USER!) {
    if (big(attr.sample_regs_user) >> 24n !== 0n) fail('EINVAL');
  }
  if (sampleType & PERF_SAMPLE.STACK_USER!) {
    const s = Number(attr.sample_stack_user ?? 0);
    if (s % 8 !== 0 || s >= 0xffff) fail('EINVAL');
  }
  if (sampleType & PERF_SAMPLE.REGS_INTR!) {
    if (big(attr.sample_regs_intr) >> 24n !== 0n) fail('EINVAL');
  }
  if (p.features.has('attr.inherit_thread') && attr.inherit_thread === 1 && attr.inherit !== 1) fail('EINVAL');
  if (p.features.has('attr.remove_on_exec') && attr.remove_on_exec === 1 && attr.enable_on_exec === 1) fail('EINVAL');
  if (p.features.has('check.sigtrap_remove_on_exec') && !p.features.has('combo.sigtrap_without_remove_on_exec')
    && attr.sigtrap === 1 && attr.remove_on_exec !== 1) fail('EINVAL');
  if (attr.use_clockid === 1) {
    const id = Number(attr.clockid ?? 0);
    const clock = CLOCK_IDS.find((c) => c.value === id);
    if (!clock || !p.features.has(`combo.clockid.${clock.name}`)) fail('EINVAL');
  }
  return attr;
}
