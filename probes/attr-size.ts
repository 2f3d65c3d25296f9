/**
 * attr.size: the largest perf_event_attr the kernel knows. An attr one page
 * long with its last byte set makes the kernel refuse with E2BIG and write its
 * own size back into attr.size; the probe confirms by opening the base at that
 * size. A kernel (or simulation) that does not write back is measured by
 * setting the last byte of each known size version until it stops saying E2BIG.
 */
import { ATTR_SIZE_VERSIONS, ATTR_SIZE_VER0 } from '../src/abi/attr-layout';
import { errnoName } from '../src/abi/errno';
import { isErr } from '../src/sys/kernel';
import type { ProbeContext, ProbeDeclaration } from '../src/probe/declaration';
import { isTransient } from '../src/model/errno-class';
import type { FeatureEntry } from '../src/model/capability-map';
import { abiDescription } from './describe';

function attrSizeHook(ctx: ProbeContext): FeatureEntry {
  return ctx.withBase('counting', (base, label) => {
    const fault = (errno: number): FeatureEntry => ({
      status: 'error', errno, errnoName: errnoName(errno), base: label, reason: `${errnoName(errno)} while measuring the attr size: a fault of the moment`,
    });
    const page = ctx.kernel.pageSize();
    const big = ctx.open(base.attr, {}, { size: page, poke: { offset: page - 1, value: 1 } });
    let size: number | undefined;
    let how = '';
    if (isErr(big) && isTransient(big.errno)) return fault(big.errno);
    if (!isErr(big)) {
      ctx.close(big.fd); // a kernel whose attr is a page long: not expected, but then that is its size
      size = page;
      how = `a ${page}-byte attr with its last byte set opened`;
    } else if (errnoName(big.errno) === 'E2BIG' && big.attrSize !== undefined && big.attrSize >= ATTR_SIZE_VER0) {
      size = big.attrSize;
      how = `E2BIG wrote back ${big.attrSize}`;
    } else {
      for (const v of [...ATTR_SIZE_VERSIONS].reverse()) {
        const r = ctx.open(base.attr, {}, { size: v.bytes, poke: { offset: v.bytes - 1, value: 1 } });
        if (!isErr(r)) ctx.close(r.fd);
        if (isErr(r) && isTransient(r.errno)) return fault(r.errno);
        if (isErr(r) && errnoName(r.errno) === 'E2BIG') continue;
        size = v.bytes;
        how = `no write-back; the last byte of ${v.name} is read (not E2BIG)`;
        break;
      }
      if (size === undefined) size = ATTR_SIZE_VER0;
    }
    const confirm = ctx.open(base.attr, {}, { size });
    if (isErr(confirm)) {
      return { status: 'error', errno: confirm.errno, errnoName: errnoName(confirm.errno), base: label, value: size, reason: `${how}, but the base does not open at that size` };
    }
    ctx.close(confirm.fd);
    ctx.useAttrSize(size);
    return { status: 'supported', value: size, base: label, reason: `${how}; the base opens at ${size} bytes` };
  });
}

export const attrSizeProbes: ProbeDeclaration[] = [
  { id: 'attr.size', description: abiDescription('attr.size'), base: 'counting', hook: attrSizeHook },
];
