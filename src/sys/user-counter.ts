/**
 * Native stubs that read a hardware counter and the timestamp counter from
 * user space, with no native build step: a few instructions per architecture,
 * written here as bytes, copied into an anonymous mapping (mmap RW), made
 * executable (mprotect RX) and called through koffi (Kernel.functionAt).
 * The page protocol around them (seqlock, width, times) is pure JavaScript in
 * src/abi/user-page-read; a stub only executes one instruction the kernel
 * allows once it has published a non-zero index with cap_user_rdpmc.
 *
 * Where executable memory is refused (EACCES/EPERM from mprotect: SELinux
 * execmem, a seccomp filter, a W^X policy), or the architecture has no stub,
 * the answer is a reason and reads stay on read(). A refusal and a working
 * page are remembered per kernel object; any other failure is tried again.
 */
import { ERRNO, errnoName } from '../abi/errno';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../abi/ioctl';
import type { UserCounterSource } from '../abi/user-page-read';
import { isErr, type Kernel } from './kernel';

/** Offsets of the three stubs in the code page. */
const IDENTITY_AT = 0;
const TIMESTAMP_AT = 32;
const COUNTER_AT = 64;

/** 32-bit little-endian instruction words → bytes. */
function words(ws: readonly number[]): number[] {
  return ws.flatMap((w) => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, (w >>> 24) & 0xff]);
}

/** AArch64 MRS x0, <sysreg> for op0=3 (MRS is 0xd5200000 | op0<<19 | op1<<16 | CRn<<12 | CRm<<8 | op2<<5 | Rt). */
function mrsX0(op1: number, crn: number, crm: number, op2: number): number {
  return (0xd5200000 | (3 << 19) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5)) >>> 0;
}
const A64_RET = 0xd65f03c0; // ret (x30)
const A64_ISB = 0xd5033fdf; // isb: the counter read is not hoisted above earlier instructions

/**
 * The stubs of one architecture, as byte arrays:
 * - identity(x) → x: a self-test of the mapping and the call path, run once;
 * - timestamp() → the clock the page's time_* fields convert (x86 TSC, arm64 CNTVCT_EL0);
 * - counter(n) → hardware counter n, where n = index - 1 from the page.
 */
export interface StubCode {
  identity: number[];
  timestamp: number[];
  counter: number[];
}

/** Machine code of the stubs for a process.arch name, or undefined where there is none. */
export function stubCode(arch: string): StubCode | undefined {
  if (arch === 'x64') {
    // System V AMD64: first argument in edi/rdi, result in rax.
    return {
      identity: [
        0x48, 0x89, 0xf8, //       mov rax, rdi
        0xc3, //                   ret
      ],
      timestamp: [
        0x0f, 0x31, //             rdtsc            ; edx:eax = TSC (upper halves of rax, rdx cleared)
        0x48, 0xc1, 0xe2, 0x20, // shl rdx, 32
        0x48, 0x09, 0xd0, //       or rax, rdx      ; rax = TSC
        0xc3, //                   ret
      ],
      counter: [
        0x89, 0xf9, //             mov ecx, edi     ; ecx = n (the page's index - 1)
        0x0f, 0x33, //             rdpmc            ; edx:eax = PMC[ecx]
        0x48, 0xc1, 0xe2, 0x20, // shl rdx, 32
        0x48, 0x09, 0xd0, //       or rax, rdx      ; rax = the raw counter; the caller sign-extends from pmc_width
        0xc3, //                   ret
      ],
    };
  }
  if (arch === 'arm64') {
    // AAPCS64: first argument in w0/x0, result in x0. Counter n is encoded in the
    // MRS instruction, so counter(n) jumps into a table of 32 two-instruction
    // entries: entry n < 31 reads PMEVCNTR<n>_EL0 (op1 3, CRn 14, CRm 0b10:n[4:3],
    // op2 n[2:0]); entry 31 reads PMCCNTR_EL0 (op1 3, CRn 9, CRm 13, op2 0), the
    // cycle counter the kernel publishes as index 32 (arm_pmuv3's user_event_idx).
    const table: number[] = [];
    for (let n = 0; n < 31; n++) table.push(mrsX0(3, 14, 0b1000 | (n >> 3), n & 7), A64_RET);
    table.push(mrsX0(3, 9, 13, 0), A64_RET);
    return {
      identity: words([A64_RET]), // x0 in is x0 out
      timestamp: words([
        A64_ISB,
        mrsX0(3, 14, 0, 2), //     mrs x0, CNTVCT_EL0
        A64_RET,
      ]),
      counter: words([
        0x92401000, //             and x0, x0, #0x1f  ; n in 0..31 (w0's upper bits are not defined by the ABI)
        0x10000061, //             adr x1, .+12       ; x1 = the table, three instructions on
        0x8b000c21, //             add x1, x1, x0, lsl #3 ; 8 bytes per entry
        0xd61f0020, //             br x1
        ...table, //               [mrs x0, PMEVCNTR<n>_EL0 | PMCCNTR_EL0; ret] × 32
      ]),
    };
  }
  return undefined;
}

export interface UserCounterStubs extends UserCounterSource {
  readonly arch: string;
  /** The self-test stub: returns its argument. */
  identity(x: number): number | bigint;
}

export type UserCounterLoad = { readonly stubs: UserCounterStubs } | { readonly reason: string; readonly errno?: number };

const loaded = new WeakMap<Kernel, UserCounterLoad>();

/** The counter stubs of this kernel's process (made once), or why there are none. */
export function userCounterStubs(kernel: Kernel): UserCounterLoad {
  const known = loaded.get(kernel);
  if (known) return known;
  const r = loadStubs(kernel);
  const lasting = 'stubs' in r || r.errno === undefined || r.errno === ERRNO.EACCES || r.errno === ERRNO.EPERM;
  if (lasting) loaded.set(kernel, r);
  return r;
}

function loadStubs(kernel: Kernel): UserCounterLoad {
  const code = stubCode(kernel.arch);
  if (!code) return { reason: `no user-space counter stub for ${kernel.arch}` };
  if (!kernel.mmapAnon || !kernel.mprotect || !kernel.functionAt) return { reason: `kernel '${kernel.name}' offers no executable memory (mmapAnon, mprotect, functionAt)` };
  const length = kernel.pageSize();
  const m = kernel.mmapAnon(length, PROT_READ | PROT_WRITE);
  if (isErr(m)) return { reason: `mmap of a code page failed with ${errnoName(m.errno)}`, errno: m.errno };
  const mapping = m.mapping;
  const bytes = new Uint8Array(mapping.buffer, 0, length);
  bytes.set(code.identity, IDENTITY_AT);
  bytes.set(code.timestamp, TIMESTAMP_AT);
  bytes.set(code.counter, COUNTER_AT);
  const p = kernel.mprotect(mapping, PROT_READ | PROT_EXEC);
  if (isErr(p)) {
    kernel.munmap(mapping);
    const why = p.errno === ERRNO.EACCES || p.errno === ERRNO.EPERM ? 'executable memory is refused (SELinux execmem, a seccomp filter or a W^X policy)' : 'mprotect failed';
    return { reason: `${why}: mprotect(PROT_READ | PROT_EXEC) = ${errnoName(p.errno)}`, errno: p.errno };
  }
  const identity = kernel.functionAt(mapping, IDENTITY_AT, 'uint64_t perfcompat_identity(uint64_t)');
  const timestamp = kernel.functionAt(mapping, TIMESTAMP_AT, 'uint64_t perfcompat_timestamp()');
  const counter = kernel.functionAt(mapping, COUNTER_AT, 'uint64_t perfcompat_counter(uint32_t)');
  const probe = 0x1234_5678_9abc;
  const back = identity(probe);
  if (Number(back) !== probe) {
    kernel.munmap(mapping);
    return { reason: `the code page's self-test returned ${String(back)} for ${probe}` };
  }
  // The mapping stays for the life of the process: the functions point into it.
  return { stubs: { arch: kernel.arch, identity: (x) => identity(x), timestamp: () => timestamp(), counter: (n) => counter(n) } };
}
