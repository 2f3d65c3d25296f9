/** The perf ioctl request numbers for a kernel's architecture, computed once per arch. */
import { archAbi, perfIoctlTable } from '../abi/ioctl';

export interface PerfIoctls {
  enable: number;
  disable: number;
  reset: number;
  id: number;
  pause_output: number;
}

const byArch = new Map<string, PerfIoctls>();

export function perfIoctls(arch: string): PerfIoctls {
  let t = byArch.get(arch);
  if (!t) {
    const all = perfIoctlTable(archAbi(arch));
    t = { enable: all.enable!, disable: all.disable!, reset: all.reset!, id: all.id!, pause_output: all.pause_output! };
    byArch.set(arch, t);
  }
  return t;
}
