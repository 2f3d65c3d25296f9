/**
 * The caller's identity from /proc/<self>/status: effective uid, effective
 * capabilities (CAP_PERFMON, CAP_SYS_ADMIN, CAP_BPF) and seccomp state.
 */
import { join, readText } from './read-file';

export const CAP_SYS_ADMIN = 21;
export const CAP_PERFMON = 38;
export const CAP_BPF = 39;

export interface ProcStatus {
  euid: number | null;
  capEff: string;
  perfmon: boolean;
  sysAdmin: boolean;
  bpf: boolean;
  seccompMode: number | null;
  seccompFilters: number | null;
}

function field(text: string, name: string): string | null {
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text);
  return m ? m[1].trim() : null;
}

function hasCap(capEff: bigint, cap: number): boolean {
  return ((capEff >> BigInt(cap)) & 1n) === 1n;
}

/** Parse the text of a status file. */
export function parseProcStatus(text: string): ProcStatus {
  const uid = field(text, 'Uid');
  const euidStr = uid?.split(/\s+/)[1];
  const euid = euidStr !== undefined && /^\d+$/.test(euidStr) ? Number(euidStr) : null;
  const capHex = field(text, 'CapEff') ?? '';
  const cap = /^[0-9a-fA-F]+$/.test(capHex) ? BigInt(`0x${capHex}`) : 0n;
  const mode = field(text, 'Seccomp');
  const filters = field(text, 'Seccomp_filters');
  return {
    euid,
    capEff: /^[0-9a-fA-F]+$/.test(capHex) ? capHex.toLowerCase() : '0',
    perfmon: hasCap(cap, CAP_PERFMON),
    sysAdmin: hasCap(cap, CAP_SYS_ADMIN),
    bpf: hasCap(cap, CAP_BPF),
    seccompMode: mode !== null && /^\d+$/.test(mode) ? Number(mode) : null,
    seccompFilters: filters !== null && /^\d+$/.test(filters) ? Number(filters) : null,
  };
}

export function readProcStatus(procRoot: string): ProcStatus {
  return parseProcStatus(readText(join(procRoot, 'self', 'status')) ?? '');
}
