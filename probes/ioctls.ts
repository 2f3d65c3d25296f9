/**
 * Every PERF_EVENT_IOC_* on an open, disabled software event. An unknown
 * ioctl gets ENOTTY; any other errno for a deliberately harmless argument
 * (SET_BPF with fd -1 → EBADF, MODIFY_ATTRIBUTES on a non-breakpoint →
 * EOPNOTSUPP, SET_FILTER on a non-tracepoint → EINVAL) shows the kernel knows
 * it, recorded in inferredFrom. ENABLE and REFRESH are undone with DISABLE
 * before the fd is closed.
 */
import { encodeAttr } from '../src/abi/attr-codec';
import { errnoName } from '../src/abi/errno';
import { PERF_IOCTLS } from '../src/abi/ioctl';
import { isTransient } from '../src/model/errno-class';
import type { BaseName, ProbeContext, ProbeDeclaration } from '../src/probe/declaration';
import { isErr, type IoctlArg } from '../src/sys/kernel';
import type { FeatureEntry } from '../src/model/capability-map';
import { abiDescription } from './describe';

interface IoctlSpec {
  base: BaseName;
  arg: (ctx: ProbeContext, fd: number) => IoctlArg;
  argText: string;
  /** Undo with DISABLE after the call. */
  enables?: boolean;
}

function u64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
}

const SPECS: Readonly<Record<string, IoctlSpec>> = {
  enable: { base: 'counting', arg: () => 0, argText: '0', enables: true },
  disable: { base: 'counting', arg: () => 0, argText: '0' },
  refresh: { base: 'sampling', arg: () => 1, argText: '1', enables: true },
  reset: { base: 'counting', arg: () => 0, argText: '0' },
  period: { base: 'sampling', arg: () => u64(2_000_000_000n), argText: '&2000000000' },
  set_output: { base: 'sampling', arg: () => 0xffffffffffffffffn, argText: '-1 (no output redirection)' },
  set_filter: { base: 'counting', arg: () => new Uint8Array([0x30, 0]), argText: '"0"' },
  id: { base: 'counting', arg: () => new Uint8Array(8), argText: '&u64' },
  set_bpf: { base: 'counting', arg: () => 0xffffffff, argText: 'fd -1' },
  pause_output: { base: 'sampling', arg: () => 0, argText: '0 (resume)' },
  query_bpf: { base: 'counting', arg: () => new Uint8Array(16), argText: '{ ids_len: 0 }' },
  modify_attributes: { base: 'counting', arg: (ctx) => encodeAttr(ctx.base('counting').attr, { size: ctx.attrSize }), argText: 'the event\'s own attr' },
};

function ioctlHook(ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry {
  const name = decl.id.slice('ioctl.'.length);
  const spec = SPECS[name];
  return ctx.withBase(spec.base, (base, label) => {
    const ev = ctx.open(base.attr);
    if (isErr(ev)) return ctx.refused(decl, ev.errno, base);
    try {
      const r = ctx.ioctl(ev.fd, name, spec.arg(ctx, ev.fd));
      const set = { ioctl: name, arg: spec.argText };
      if (!isErr(r)) return { status: 'supported', base: label, set };
      const en = errnoName(r.errno);
      if (en === 'ENOTTY') return { status: 'unsupported', base: label, set, errno: r.errno, errnoName: en, reason: 'unknown ioctl (ENOTTY)' };
      if (isTransient(r.errno)) {
        return { status: 'error', base: label, set, errno: r.errno, errnoName: en, reason: `${en}: a fault of the moment` };
      }
      return {
        status: 'supported', base: label, set, errno: r.errno, errnoName: en,
        inferredFrom: `${en} for argument ${spec.argText} on ${label}; an unknown ioctl gets ENOTTY`,
        reason: 'known to the kernel; not exercised with a real argument here',
      };
    } finally {
      if (spec.enables) ctx.ioctl(ev.fd, 'disable', 0);
      ctx.close(ev.fd);
    }
  });
}

export const ioctlProbes: ProbeDeclaration[] = PERF_IOCTLS.map((d): ProbeDeclaration => ({
  id: `ioctl.${d.name}`, description: abiDescription(`ioctl.${d.name}`), base: SPECS[d.name]?.base ?? 'counting', hook: ioctlHook,
}));
