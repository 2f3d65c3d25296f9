/** A minimal Environment and a scripted 6.18-like kernel for engine tests. */
import type { Environment } from '../../../src/model/capability-map';
import { E, stubKernel, type OpenCall, type StubKernel } from './stub-kernel';

export function fakeEnv(over: Partial<Environment> = {}): Environment {
  return {
    arch: 'x64', paranoid: 2, euid: 1000,
    capabilities: { effective: '0', perfmon: false, sysAdmin: false, bpf: false },
    seccomp: { mode: 0, filters: 0 }, container: [],
    pmus: [{ name: 'software', type: 1, formats: {}, caps: {}, events: [] }],
    bootId: '00000000-1111-2222-3333-444444444444', tracefs: null,
    ...over,
  };
}

export const UNAME = { release: '6.18.0-test', version: '#1 SMP', machine: 'x86_64' };

/**
 * Knows attr size 136, flag bits 0..37, aux_action bits 0..2 (refused without
 * an AUX PMU after validation), sample_type bits 0..24, read_format bits 0..4;
 * no hardware PMU; unregistered types get ENOENT.
 */
export function kernel618(extra?: (c: OpenCall, bytes: Uint8Array) => ReturnType<Parameters<typeof stubKernel>[0]> | undefined): StubKernel {
  return stubKernel((c, bytes) => {
    const x = extra?.(c, bytes);
    if (x !== undefined) return x;
    if (c.size > 136 && bytes.subarray(136, c.size).some((b) => b !== 0)) {
      new DataView(bytes.buffer, bytes.byteOffset).setUint32(4, 136, true);
      return { errno: E.E2BIG, attrSize: 136 };
    }
    const a = c.attr;
    if (a.__reserved_1 !== undefined && BigInt(a.__reserved_1) >> 0n !== 0n) return { errno: E.EINVAL };
    if (Number(a.defer_callchain ?? 0) || Number(a.defer_output ?? 0)) return { errno: E.EINVAL };
    if (BigInt(a.sample_type ?? 0n) >> 25n !== 0n) return { errno: E.EINVAL };
    if (BigInt(a.read_format ?? 0n) >> 5n !== 0n) return { errno: E.EINVAL };
    if (a.__reserved_3 !== undefined) return { errno: E.EINVAL };
    if ((c.flags & ~0xf) !== 0) return { errno: E.EINVAL };
    if (a.sigtrap === 1 && a.remove_on_exec !== 1) return { errno: E.EINVAL };
    if (a.type === 0x7ffffff0) return { errno: E.ENOENT };
    if (a.type === 0 || a.type === 3) return { errno: E.ENOENT };
    if (a.aux_pause === 1 || a.aux_resume === 1) return { errno: E.EINVAL };
    if (a.aux_start_paused === 1 || a.aux_output === 1) return { errno: E.EOPNOTSUPP };
    if (BigInt(a.sample_type ?? 0n) & (1n << 11n)) return { errno: E.EOPNOTSUPP };
    if (a.type === 1 && Number(a.config) > 11) return { errno: E.ENOENT };
    if ((c.flags & 4) !== 0) return { errno: E.EBADF };
    return 'fd';
  });
}
