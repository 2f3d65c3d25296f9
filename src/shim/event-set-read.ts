/** EventSet's group read buffers and the errors of its reads (a failed read(), a read of the wrong size). */
import { errnoName } from '../abi/errno';
import { compileReadLayout, createReadNumbers, type ReadLayout, type ReadNumbers } from '../abi/read-layout';
import { PerfcompatError } from '../errors';
import { bindRead, type BoundRead } from '../sys/fast-read';
import type { Kernel } from '../sys/kernel';

export interface GroupReadBuffers {
  layout: ReadLayout;
  numbers: ReadNumbers;
  readLen: number;
  buf: Buffer;
  dv: DataView;
  readGroup: BoundRead;
}

/** Group path only: the buffer and bound read() of one PERF_FORMAT_GROUP read of `members` events led by the event on `leaderFd` (`buf` reused when large enough). */
export function groupReadOf(kernel: Kernel, readFormat: bigint, leaderFd: number, members: number, buf: Buffer | undefined): GroupReadBuffers {
  const layout = compileReadLayout(readFormat, members);
  const readLen = layout.size;
  const b = buf && buf.byteLength >= readLen ? buf : Buffer.alloc(Math.max(readLen, 64));
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { layout, numbers: createReadNumbers(layout), readLen, buf: b, dv, readGroup: bindRead(kernel, leaderFd, b, readLen) };
}

export function readError(name: string, errno: number): PerfcompatError {
  return new PerfcompatError('ERR_KERNEL', `EventSet.read(): read of ${name} failed with ${errnoName(errno)}`, { errno, errnoName: errnoName(errno) });
}

export function shortRead(name: string, got: number, want: number, readFormat: bigint): PerfcompatError {
  return new PerfcompatError('ERR_DECODE', `EventSet.read(): ${name} returned ${got} bytes, ${want} expected for read_format 0x${readFormat.toString(16)}`);
}
