/**
 * How the simulated kernel answers with an errno: `err` builds the
 * `{ errno }` result a call returns; `fail` throws an OpenError from deep in
 * perf_event_open (copy_attr, perf_init_event, validate_group) that
 * SimKernel.perfEventOpen catches and returns, as the kernel's `goto err_*`
 * paths unwind to one return.
 */
import { ERRNO } from '../../src/abi';

export const E = ERRNO as Readonly<Record<string, number>>;
export const err = (name: string): { errno: number } => ({ errno: E[name]! });

export class OpenError {
  constructor(readonly errno: number) {}
}
export function fail(name: string): never {
  throw new OpenError(E[name]!);
}
