/**
 * mmap, munmap and poll of simulated perf fds: perf_mmap's rules for a ring
 * (MAP_SHARED, no AUX offset, 1 + 2^n pages, the same length again for a
 * second mapping, none for an event that set_output elsewhere, data pages
 * over perf_event_mlock_kb need privilege, sim-permissions.ts), a fresh
 * control page (sim-ring.ts), and perf_poll's POLLIN when the ring holds
 * records, POLLHUP without a ring, POLLNVAL for a bad fd.
 */
import { MAP_SHARED, PROT_WRITE } from '../../src/abi';
import type { Mapping, MmapResult, PollFd } from '../../src/sys/kernel';
import { initControlPage } from './sim-ring';
import { err } from './sim-errors';
import { privileged } from './sim-permissions';
import type { SimState } from './sim-state';

/** Map fd's ring (or map it again) with `page`-byte pages. */
export function simMmap(s: SimState, fd: number, length: number, prot: number, flags: number, offset: number, page: number): MmapResult {
  const ev = s.events.get(fd);
  if (!ev) return err('EBADF');
  if (!s.persona.features.has('mmap.ring_buffer')) return err('ENODEV');
  if ((flags & MAP_SHARED) === 0) return err('EINVAL');
  if (offset !== 0) return err('EINVAL'); // an AUX area: no PMU here has one
  const dataPages = length / page - 1;
  if (dataPages !== 0 && (dataPages & (dataPages - 1)) !== 0) return err('EINVAL');
  if (ev.ring) {
    if (ev.ring.length !== length) return err('EINVAL');
  } else {
    if (ev.outputTo !== undefined) return err('EINVAL');
    if (dataPages * page > s.persona.mlockKb * 1024 && !privileged(s.persona)) return err('EPERM');
    const buffer = new ArrayBuffer(length);
    const address = s.nextAddress;
    s.nextAddress += BigInt(length + page);
    ev.ring = {
      buffer, address, length, dataPages, writable: (prot & PROT_WRITE) !== 0, pendingLost: 0, paused: false,
      backward: ev.attr.write_backward === 1,
    };
    initControlPage(s.persona, ev, page);
  }
  s.mappings.set(ev.ring.address, { fd, length });
  const mapping: Mapping = { address: ev.ring.address, length: ev.ring.length, buffer: ev.ring.buffer };
  return { mapping };
}

/** Unmap a ring mapping; the event keeps no ring once its mapping is gone. */
export function unmapRing(s: SimState, mapping: Mapping): void {
  const m = s.mappings.get(mapping?.address);
  if (!m) throw new RangeError('munmap: not a mapping made by this kernel, or already unmapped');
  s.mappings.delete(mapping.address);
  const ev = s.events.get(m.fd);
  if (ev && ev.ring?.address === mapping.address) delete ev.ring;
}

/** poll's revents for each fd. */
export function pollRevents(s: SimState, fds: readonly PollFd[]): number[] {
  const POLLIN = 1, POLLHUP = 0x10, POLLNVAL = 0x20;
  return fds.map((p) => {
    const ev = s.events.get(p.fd);
    if (!ev) return POLLNVAL;
    if (!ev.ring) return POLLHUP;
    const dv = new DataView(ev.ring.buffer);
    const head = dv.getBigUint64(1024, true), tail = dv.getBigUint64(1032, true);
    return head !== tail ? POLLIN & p.events : 0;
  });
}
