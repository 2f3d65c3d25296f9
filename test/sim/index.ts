/** The simulated kernel, its personas and the simulate() entry point. */
export { SimKernel } from './sim-kernel';
export type { SimCall } from './sim-kernel';
export type { SimEvent } from './sim-event';
export { simulate, loadPersona, personaNames, environmentOf } from './simulate';
export type { Simulation, Uname } from './simulate';
export { resolvePersona, mainlineFeatures, compareRelease, KERNEL_BEHAVIOURS, x86Pmu, corePmus } from './persona';
export type { Persona, PersonaSpec, PersonaPmu, PersonaQuirks } from './persona';
export { PERSONAS, MAINLINE_PERSONAS } from './personas';
export { simWorkload, SIM_NS_PER_ITERATION } from './sim-workload';
