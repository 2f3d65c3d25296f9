/**
 * ioctl request numbers, computed from _IO/_IOR/_IOW/_IOWR with the encoding of
 * each architecture. Pure: no I/O.
 *
 * asm-generic (x86, arm, arm64, riscv, s390, loongarch): 2 direction bits at 30,
 * 14 size bits at 16, NONE=0 WRITE=1 READ=2.
 * powerpc, mips, sparc, alpha: 3 direction bits at 29, 13 size bits at 16,
 * NONE=1 READ=2 WRITE=4.
 */
import { shownValue } from './args';

export type IoctlDir = 'none' | 'read' | 'write' | 'readwrite';

export interface IoctlEncoding {
  readonly name: 'generic' | 'powerpc-style';
  readonly dirShift: number;
  readonly sizeBits: number;
  readonly none: number;
  readonly read: number;
  readonly write: number;
}

export const IOCTL_ENCODING_GENERIC: IoctlEncoding = {
  name: 'generic', dirShift: 30, sizeBits: 14, none: 0, read: 2, write: 1,
};
export const IOCTL_ENCODING_POWERPC: IoctlEncoding = {
  name: 'powerpc-style', dirShift: 29, sizeBits: 13, none: 1, read: 2, write: 4,
};

/** Architectures by Node's process.arch name. */
export interface ArchAbi {
  readonly arch: string;
  readonly ioctl: IoctlEncoding;
  /** sizeof(void *) — ioctls whose size argument is a pointer type depend on it. */
  readonly pointerSize: 4 | 8;
  /** __NR_perf_event_open */
  readonly nrPerfEventOpen: number;
}

export const ARCHES: Readonly<Record<string, ArchAbi>> = {
  x64: { arch: 'x64', ioctl: IOCTL_ENCODING_GENERIC, pointerSize: 8, nrPerfEventOpen: 298 },
  ia32: { arch: 'ia32', ioctl: IOCTL_ENCODING_GENERIC, pointerSize: 4, nrPerfEventOpen: 336 },
  arm64: { arch: 'arm64', ioctl: IOCTL_ENCODING_GENERIC, pointerSize: 8, nrPerfEventOpen: 241 },
  arm: { arch: 'arm', ioctl: IOCTL_ENCODING_GENERIC, pointerSize: 4, nrPerfEventOpen: 364 },
  riscv64: { arch: 'riscv64', ioctl: IOCTL_ENCODING_GENERIC, pointerSize: 8, nrPerfEventOpen: 241 },
  loong64: { arch: 'loong64', ioctl: IOCTL_ENCODING_GENERIC, pointerSize: 8, nrPerfEventOpen: 241 },
  s390x: { arch: 's390x', ioctl: IOCTL_ENCODING_GENERIC, pointerSize: 8, nrPerfEventOpen: 331 },
  ppc64: { arch: 'ppc64', ioctl: IOCTL_ENCODING_POWERPC, pointerSize: 8, nrPerfEventOpen: 319 },
  ppc: { arch: 'ppc', ioctl: IOCTL_ENCODING_POWERPC, pointerSize: 4, nrPerfEventOpen: 319 },
  mips64el: { arch: 'mips64el', ioctl: IOCTL_ENCODING_POWERPC, pointerSize: 8, nrPerfEventOpen: 5296 },
  mipsel: { arch: 'mipsel', ioctl: IOCTL_ENCODING_POWERPC, pointerSize: 4, nrPerfEventOpen: 4333 },
  mips: { arch: 'mips', ioctl: IOCTL_ENCODING_POWERPC, pointerSize: 4, nrPerfEventOpen: 4333 },
  sparc64: { arch: 'sparc64', ioctl: IOCTL_ENCODING_POWERPC, pointerSize: 8, nrPerfEventOpen: 327 },
  alpha: { arch: 'alpha', ioctl: IOCTL_ENCODING_POWERPC, pointerSize: 8, nrPerfEventOpen: 493 },
};

export function archAbi(arch: string): ArchAbi {
  const a = typeof arch === 'string' && Object.prototype.hasOwnProperty.call(ARCHES, arch) ? ARCHES[arch] : undefined;
  if (!a) {
    throw new RangeError(`archAbi: unsupported architecture ${shownValue(arch)}; known: ${Object.keys(ARCHES).join(', ')}`);
  }
  return a;
}

/** _IOC(dir, type, nr, size) for an encoding. Returns an unsigned 32-bit number. */
export function ioc(enc: IoctlEncoding, dir: IoctlDir, type: number, nr: number, size: number): number {
  if (enc === null || typeof enc !== 'object' || !Number.isInteger(enc.sizeBits) || !Number.isInteger(enc.dirShift)) {
    throw new RangeError(`ioc: enc is ${shownValue(enc)}; expected an IoctlEncoding (IOCTL_ENCODING_GENERIC or IOCTL_ENCODING_POWERPC)`);
  }
  if (dir !== 'none' && dir !== 'read' && dir !== 'write' && dir !== 'readwrite') {
    throw new RangeError(`ioc: dir is ${shownValue(dir)}; expected 'none', 'read', 'write' or 'readwrite'`);
  }
  const maxSize = (1 << enc.sizeBits) - 1;
  if (!Number.isInteger(size) || size < 0 || size > maxSize) {
    throw new RangeError(`ioc: size ${shownValue(size)} does not fit ${enc.sizeBits} bits (0..${maxSize})`);
  }
  if (!Number.isInteger(type) || !Number.isInteger(nr) || type < 0 || type > 0xff || nr < 0 || nr > 0xff) {
    throw new RangeError(`ioc: type ${shownValue(type)} and nr ${shownValue(nr)} must each be an integer 0..255`);
  }
  const d = dir === 'none' ? enc.none : dir === 'read' ? enc.read : dir === 'write' ? enc.write : enc.read | enc.write;
  // >>> 0 keeps the result an unsigned 32-bit number.
  return ((d << enc.dirShift) | (size << 16) | (type << 8) | nr) >>> 0;
}

/** The argument type of each perf ioctl, from which its size follows. */
type ArgType = 'none' | 'u32' | 'u64' | 'pointer' | 'attr';

interface PerfIoctlDef {
  readonly name: string;
  readonly uapi: string;
  readonly dir: IoctlDir;
  readonly nr: number;
  readonly arg: ArgType;
  readonly mainline: string;
  readonly description: string;
}

const PERF_IOCTL_TYPE = 0x24; // '$'

export const PERF_IOCTLS: readonly PerfIoctlDef[] = [
  { name: 'enable', uapi: 'PERF_EVENT_IOC_ENABLE', dir: 'none', nr: 0, arg: 'none', mainline: '2.6.31', description: 'enable the event (or group with PERF_IOC_FLAG_GROUP)' },
  { name: 'disable', uapi: 'PERF_EVENT_IOC_DISABLE', dir: 'none', nr: 1, arg: 'none', mainline: '2.6.31', description: 'disable the event' },
  { name: 'refresh', uapi: 'PERF_EVENT_IOC_REFRESH', dir: 'none', nr: 2, arg: 'none', mainline: '2.6.31', description: 'allow n more overflows before disabling' },
  { name: 'reset', uapi: 'PERF_EVENT_IOC_RESET', dir: 'none', nr: 3, arg: 'none', mainline: '2.6.31', description: 'zero the counter' },
  { name: 'period', uapi: 'PERF_EVENT_IOC_PERIOD', dir: 'write', nr: 4, arg: 'u64', mainline: '2.6.31', description: 'change the sampling period' },
  { name: 'set_output', uapi: 'PERF_EVENT_IOC_SET_OUTPUT', dir: 'none', nr: 5, arg: 'none', mainline: '2.6.32', description: 'send records to another event\'s ring buffer' },
  { name: 'set_filter', uapi: 'PERF_EVENT_IOC_SET_FILTER', dir: 'write', nr: 6, arg: 'pointer', mainline: '2.6.33', description: 'set a tracepoint or address filter' },
  { name: 'id', uapi: 'PERF_EVENT_IOC_ID', dir: 'read', nr: 7, arg: 'pointer', mainline: '3.12', description: 'read the event id' },
  { name: 'set_bpf', uapi: 'PERF_EVENT_IOC_SET_BPF', dir: 'write', nr: 8, arg: 'u32', mainline: '4.1', description: 'attach a BPF program' },
  { name: 'pause_output', uapi: 'PERF_EVENT_IOC_PAUSE_OUTPUT', dir: 'write', nr: 9, arg: 'u32', mainline: '4.7', description: 'pause or resume ring buffer output' },
  { name: 'query_bpf', uapi: 'PERF_EVENT_IOC_QUERY_BPF', dir: 'readwrite', nr: 10, arg: 'pointer', mainline: '4.16', description: 'query attached BPF programs' },
  { name: 'modify_attributes', uapi: 'PERF_EVENT_IOC_MODIFY_ATTRIBUTES', dir: 'write', nr: 11, arg: 'pointer', mainline: '4.17', description: 'modify attributes (breakpoints only)' },
];

/** PERF_IOC_FLAG_GROUP: apply enable/disable/reset/refresh to the whole group. */
export const PERF_IOC_FLAG_GROUP = 1;

function argSize(arg: ArgType, pointerSize: number): number {
  switch (arg) {
    case 'none': return 0;
    case 'u32': return 4;
    case 'u64': return 8;
    case 'pointer': return pointerSize;
    case 'attr': return pointerSize;
  }
}

function checkArch(fn: string, arch: ArchAbi): void {
  if (arch === null || typeof arch !== 'object' || arch.ioctl === null || typeof arch.ioctl !== 'object' || !Number.isInteger(arch.pointerSize)) {
    throw new RangeError(`${fn}: arch is ${shownValue(arch)}; expected an ArchAbi from archAbi(process.arch)`);
  }
}

/** Request number of a perf ioctl on an architecture. */
export function perfIoctl(name: string, arch: ArchAbi): number {
  const def = PERF_IOCTLS.find((d) => d.name === name);
  if (!def) {
    throw new RangeError(`perfIoctl: unknown perf ioctl ${shownValue(name)}; known: ${PERF_IOCTLS.map((d) => d.name).join(', ')}`);
  }
  checkArch('perfIoctl', arch);
  return ioc(arch.ioctl, def.dir, PERF_IOCTL_TYPE, def.nr, argSize(def.arg, arch.pointerSize));
}

/** All perf ioctl request numbers for an architecture, by short name. */
export function perfIoctlTable(arch: ArchAbi): Record<string, number> {
  checkArch('perfIoctlTable', arch);
  return Object.fromEntries(PERF_IOCTLS.map((d) => [d.name, perfIoctl(d.name, arch)]));
}

/** fcntl and mmap constants the seam needs (asm-generic values, x86 too). */
export const F_GETFD = 1;
export const F_SETFD = 2;
export const FD_CLOEXEC = 1;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;
export const MAP_SHARED = 1;
export const MAP_PRIVATE = 2;

/** MAP_ANONYMOUS for an architecture (process.arch names; asm-generic unless listed). */
export function mapAnonymous(arch: string): number {
  if (typeof arch !== 'string') throw new RangeError(`mapAnonymous: arch is ${shownValue(arch)}; expected a process.arch name such as 'x64'`);
  if (arch.startsWith('mips')) return 0x800;
  if (arch === 'alpha') return 0x10;
  return 0x20;
}

/** MAP_ANONYMOUS | MAP_FIXED for an architecture (process.arch names; asm-generic unless listed). */
export function mapAnonymousFixed(arch: string): number {
  if (typeof arch !== 'string') throw new RangeError(`mapAnonymousFixed: arch is ${shownValue(arch)}; expected a process.arch name such as 'x64'`);
  if (arch.startsWith('mips')) return 0x800 | 0x10;
  if (arch === 'alpha') return 0x10 | 0x100;
  return 0x20 | 0x10;
}
