/**
 * The one core-PMU rule: which PMUs count the CPU's own events, the ones
 * generic hardware and cache events map to (and whose type takes raw
 * configs). Env records it, events resolves names by it, the shim groups and
 * adapts by it. Pure: a function of the PMU's description.
 */
/**
 * Names the kernel's CPU PMU drivers register:
 * x86 `cpu` (riscv's SBI and legacy PMUs register as `cpu` too), hybrid x86
 * `cpu_core` / `cpu_atom`, s390 `cpum_cf`, arm_pmu drivers `armv<N>_*`
 * (armv8_pmuv3_0, armv8_cortex_a53, armv7_cortex_a15, …) and `arm_cortex_*`,
 * and the Apple M1/M2 driver (drivers/perf/apple_m1_cpu_pmu.c:
 * apple_icestorm_pmu, apple_firestorm_pmu, apple_blizzard_pmu, apple_avalanche_pmu).
 */
const CORE_PMU_NAME = /^(cpu|cpu_core|cpu_atom|cpum_cf|armv[0-9]+_.*|arm_cortex_.*|apple_[a-z0-9]+_pmu)$/;

/** What the rule looks at: the name, a sysfs `cpus` list, and a `core` mark a description already carries. */
export interface CorePmuFacts {
  name: string;
  /** The sysfs `cpus` file: only per-CPU-type PMUs (hybrid x86, every arm_pmu) have one, as perf's rule says. */
  cpus?: string;
  core?: boolean;
}

/** True for a core PMU: a CPU PMU driver's name, a sysfs `cpus` list, or marked core where it was described. */
export function isCorePmu(p: CorePmuFacts): boolean {
  return p.core === true || p.cpus !== undefined || CORE_PMU_NAME.test(p.name);
}

/**
 * The core PMU an event of the CPU lands on (perf_init_event, kernel/events/core.c 5.13+):
 * a core PMU's own type; a hardware or cache event (types 0, 3) with a PMU type in
 * config bits 32+ (PERF_PMU_TYPE_SHIFT) that PMU; else the PMU registered as
 * PERF_TYPE_RAW (4: x86's cpu, or cpu_core on a hybrid CPU), else the first core PMU.
 */
export function corePmuOfEvent<T extends CorePmuFacts & { type: number }>(type: number, config: bigint | number | undefined, pmus: readonly T[]): T | undefined {
  const cores = corePmus(pmus);
  const own = cores.find((p) => p.type === type);
  if (own) return own;
  const ext = type === 0 || type === 3 ? Number(BigInt(config ?? 0) >> 32n) : 0;
  return (ext !== 0 ? cores.find((p) => p.type === ext) : undefined) ?? cores.find((p) => p.type === 4) ?? cores[0];
}

/** The core PMUs of an environment's PMU list, in its order. */
export function corePmus<T extends CorePmuFacts>(pmus: readonly T[]): T[] {
  return pmus.filter(isCorePmu);
}

