/**
 * The Workload of a SimKernel: work advances the simulated clock by a known
 * number of ns (SIM_NS_PER_ITERATION per iteration, spin_ms/cpu_ms as ns),
 * so counts are exact; it runs no child processes and knows no sample-rate
 * limit.
 */
import type { WorkDecl, WorkResult, Workload } from '../../src/probe/behaviour-types';

/** Simulated nanoseconds per loop iteration of work { iterations }. */
export const SIM_NS_PER_ITERATION = 1;

export function simWorkload(kernel: { readonly name: string; work(ns: number): void }): Workload {
  return {
    exact: true,
    get cannotExec() { return `a simulated kernel (${kernel.name}) runs no child processes`; },
    run(decl: WorkDecl): WorkResult {
      const ns = Math.round(((decl.spin_ms ?? 0) + (decl.cpu_ms ?? 0)) * 1e6 + (decl.iterations ?? 0) * SIM_NS_PER_ITERATION);
      kernel.work(ns);
      return { wallNs: ns, cpuNs: ns, pages: decl.touch_pages ?? 0, children: 0 };
    },
    // The simulated work counts on top of the real time that passed.
    spanNs: (done, realNs) => done.wallNs + realNs,
    iterationsFor: (ms) => Math.max(1, Math.round((ms * 1e6) / SIM_NS_PER_ITERATION)),
    maxSampleRate: () => undefined,
  };
}
