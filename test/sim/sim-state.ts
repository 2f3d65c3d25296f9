/**
 * What a simulated kernel keeps between calls: its persona, the fd table of
 * perf events, the next event id, the breakpoint slots in use, the ring
 * mappings, the clock and the fds held outside perf. SimKernel owns one; the
 * sim-*.ts modules that do its calls read and change it.
 */
import type { DecodedAttr } from '../../src/abi';
import type { Persona } from './persona';
import type { SimEvent } from './sim-event';

/** The kernel's own public methods, which its calls go through (a test that replaces one is seen). */
export interface SimSelf {
  event(fd: number): SimEvent | undefined;
  copyAttr(bytes: Uint8Array): DecodedAttr;
}

export interface SimState {
  readonly self: SimSelf;
  readonly persona: Persona;
  /** Open perf fds. */
  readonly events: Map<number, SimEvent>;
  nextId: bigint;
  /** Simulated nanoseconds elapsed. */
  clockNs: number;
  /** With a real clock, the wall time work was last counted to. */
  lastSync: bigint;
  breakpointsInUse: number;
  /** Ring mappings by address. */
  readonly mappings: Map<bigint, { fd: number; length: number }>;
  nextAddress: bigint;
  /** Fds held outside perf (the lowest perf fd is above them). */
  extraFds: number;
}

export function newSimState(self: SimSelf, persona: Persona): SimState {
  return {
    self, persona, events: new Map(), nextId: 1n, clockNs: 0, lastSync: process.hrtime.bigint(),
    breakpointsInUse: 0, mappings: new Map(), nextAddress: 0x7f0000000000n, extraFds: persona.fdsInUse,
  };
}
