/**
 * Every read_format bit, alone and together with PERF_FORMAT_GROUP (the
 * `.with_group` entries). The answer is read back: read() must return exactly
 * the bytes the format describes.
 */
import { errnoName } from '../src/abi/errno';
import { PERF_FORMAT, READ_FORMAT } from '../src/abi/constants';
import { readSize } from '../src/abi/read-format';
import type { ProbeContext, ProbeDeclaration } from '../src/probe/contract';
import { abiDescription } from './describe';
import { isErr } from '../src/sys/kernel';
import type { FeatureEntry } from '../src/model/capability-map';

const GROUP = PERF_FORMAT.GROUP;

function readFormatHook(ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry {
  return ctx.withBase(decl.base, (base, label): FeatureEntry => {
    const fmt = BigInt(decl.set!.read_format as bigint);
    const r = ctx.open({ ...base.attr, ...decl.set }, decl.target);
    if (isErr(r)) return ctx.refused(decl, r.errno, base, decl.set);
    const want = readSize(fmt, 1);
    const buf = new Uint8Array(want + 64);
    const got = ctx.kernel.read(r.fd, buf);
    ctx.close(r.fd);
    const set = { read_format: `0x${fmt.toString(16)}` };
    if (isErr(got)) {
      return { status: 'broken', base: label, set, errno: got.errno, errnoName: errnoName(got.errno), reason: `opens, but read() fails with ${errnoName(got.errno)}` };
    }
    if (got.bytes !== want) {
      return { status: 'broken', base: label, set, measured: { readBytes: got.bytes, expectedBytes: want }, reason: `opens, but read() returned ${got.bytes} bytes, the format describes ${want}` };
    }
    return { status: 'supported', base: label, set, measured: { readBytes: got.bytes } };
  });
}

export const readFormatProbes: ProbeDeclaration[] = READ_FORMAT.flatMap((b): ProbeDeclaration[] => {
  const bit = 1n << BigInt(b.bit);
  const alone: ProbeDeclaration = { id: `read_format.${b.name}`, description: abiDescription(`read_format.${b.name}`), base: 'counting', set: { read_format: bit }, oracle: true, hook: readFormatHook };
  if (b.name === 'group') return [alone];
  return [alone, {
    id: `read_format.${b.name}.with_group`,
    description: `${b.uapi} together with PERF_FORMAT_GROUP: read() of the leader returns the whole group in this format`,
    base: 'counting', set: { read_format: bit | GROUP }, oracle: true,
    needs: ['read_format.group'], mainline: b.mainline, hook: readFormatHook,
  }];
});
