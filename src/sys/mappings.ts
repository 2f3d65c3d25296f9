/**
 * mmap and munmap for the real kernel, so that no use of a mapping can crash
 * Node. Each mapping is a frozen object that knows its own address and
 * length; munmap accepts only an object this table handed out and unmaps
 * exactly what was mapped. After munmap, `mapping.buffer` throws ERR_CLOSED,
 * and the address range is not returned to the system while any view made
 * earlier can still reach it: the perf mapping is replaced in place by an
 * anonymous zero-filled one (MAP_FIXED), freed when the ArrayBuffer is
 * garbage-collected. A stale view reads zeros instead of unmapped memory.
 */
import koffi from 'koffi';
import { errnoName } from '../abi/errno';
import { mapAnonymousFixed, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../abi/ioctl';
import { PerfcompatError } from '../errors';
import type { Mapping, MmapResult, VoidResult } from './kernel';
import type { Libc } from './libc';
import { checkInt32 } from './checks';
import { sysLog } from './log';

const MAP_FAILED = 0xffffffffffffffffn;

/** koffi prototypes by their text: koffi.proto registers a named type once. */
const protos = new Map<string, ReturnType<typeof koffi.proto>>();

interface Entry {
  readonly ptr: unknown;
  /** Hands over the ArrayBuffer and makes `mapping.buffer` refuse access from now on. */
  close(): ArrayBuffer;
}

interface Placeholder {
  readonly ptr: unknown;
  readonly length: number;
}

export class MappingTable {
  private readonly live = new Map<Mapping, Entry>();
  private readonly placeholders: FinalizationRegistry<Placeholder>;
  private readonly anonFixed: number;

  constructor(private readonly c: Libc, arch: string) {
    this.anonFixed = MAP_PRIVATE | mapAnonymousFixed(arch);
    this.placeholders = new FinalizationRegistry((p) => { c.munmap(p.ptr, p.length); });
  }

  map(fd: number, length: number, prot: number, flags: number, offset: number): MmapResult {
    checkInt32(prot, 'mmap prot', 'pass PROT_READ or PROT_READ | PROT_WRITE (src/abi/ioctl)');
    checkInt32(flags, 'mmap flags', 'pass MAP_SHARED for a perf ring buffer (src/abi/ioctl)');
    const ptr = this.c.mmap(null, length, prot, flags, fd, offset);
    const address = ptr === null ? 0n : BigInt.asUintN(64, koffi.address(ptr));
    if (address === MAP_FAILED || address === 0n) {
      const errno = koffi.errno();
      if (sysLog.enabled) sysLog('mmap(fd=%d, %d) = -1 %s', fd, length, errnoName(errno));
      return { errno };
    }
    let buffer: ArrayBuffer | undefined = koffi.view(ptr, length);
    const hex = address.toString(16);
    const mapping: Mapping = Object.freeze({
      address,
      length,
      get buffer(): ArrayBuffer {
        if (buffer === undefined) throw new PerfcompatError('ERR_CLOSED', `mapping 0x${hex}: buffer used after munmap; map the fd again`);
        return buffer;
      },
    });
    this.live.set(mapping, {
      ptr,
      close: () => {
        const b = buffer!;
        buffer = undefined;
        return b;
      },
    });
    if (sysLog.enabled) sysLog('mmap(fd=%d, %d) = 0x%s', fd, length, hex);
    return { mapping };
  }

  /** mprotect(mapping, its length, prot). */
  protect(mapping: Mapping, prot: number): VoidResult {
    const entry = this.live.get(mapping);
    if (entry === undefined) throw new RangeError('mprotect: not a mapping object returned by this kernel\'s mmap, or already unmapped');
    checkInt32(prot, 'mprotect prot', 'pass PROT_READ, PROT_WRITE, PROT_EXEC or a union (src/abi/ioctl)');
    if (Number(this.c.mprotect(entry.ptr, mapping.length, prot)) !== 0) {
      const errno = koffi.errno();
      if (sysLog.enabled) sysLog('mprotect(0x%s, %d, %d) = -1 %s', mapping.address.toString(16), mapping.length, prot, errnoName(errno));
      return { errno };
    }
    if (sysLog.enabled) sysLog('mprotect(0x%s, %d, %d) = 0', mapping.address.toString(16), mapping.length, prot);
    return { ok: true };
  }

  /** The native function at `offset` bytes into a live mapping (its memory must be executable). */
  functionAt(mapping: Mapping, offset: number, prototype: string): (...args: number[]) => number | bigint {
    const entry = this.live.get(mapping);
    if (entry === undefined) throw new RangeError('functionAt: not a mapping object returned by this kernel\'s mmap, or already unmapped');
    if (!Number.isInteger(offset) || offset < 0 || offset >= mapping.length) throw new RangeError(`functionAt: offset ${offset} lies outside the ${mapping.length}-byte mapping`);
    const address = Number(mapping.address) + offset;
    if (!Number.isSafeInteger(address)) throw new RangeError('functionAt: address is not representable');
    let proto = protos.get(prototype);
    if (proto === undefined) { proto = koffi.proto(prototype); protos.set(prototype, proto); }
    return koffi.decode(address, proto) as (...args: number[]) => number | bigint;
  }

  unmap(mapping: Mapping): VoidResult {
    const entry = this.live.get(mapping);
    if (entry === undefined) throw new RangeError('munmap: not a mapping object returned by this kernel\'s mmap, or already unmapped');
    const { address, length } = mapping;
    // Replace, not unmap: views of the old buffer may outlive this call.
    const r = this.c.mmap(entry.ptr, length, PROT_READ | PROT_WRITE, this.anonFixed, -1, 0);
    const got = r === null ? 0n : BigInt.asUintN(64, koffi.address(r));
    if (got !== address) {
      const errno = koffi.errno();
      if (sysLog.enabled) sysLog('munmap(0x%s) = -1 %s', address.toString(16), errnoName(errno));
      return { errno };
    }
    this.live.delete(mapping);
    this.placeholders.register(entry.close(), { ptr: entry.ptr, length });
    if (sysLog.enabled) sysLog('munmap(0x%s, %d) = 0', address.toString(16), length);
    return { ok: true };
  }
}
