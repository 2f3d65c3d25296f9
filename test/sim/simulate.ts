/**
 * loadPersona / simulate: turn a persona into the three things the engine and
 * the shim take — a Kernel, the Environment that goes with it, and uname.
 */
import type { Environment, PmuInfo } from '../../src/model/capability-map';
import { Persona, PersonaSpec, resolvePersona, corePmus, cpusOfCore } from './persona';
import { PERSONAS } from './personas';
import { archOf, SimKernel } from './sim-kernel';
import { tracefsFor } from './sim-tracefs';

export interface Uname {
  release: string;
  version: string;
  machine: string;
}

export interface Simulation {
  kernel: SimKernel;
  environment: Environment;
  uname: Uname;
}

/** Names of every persona. */
export function personaNames(): string[] {
  return PERSONAS.map((p) => p.name);
}

function specByName(name: string): PersonaSpec {
  const spec = PERSONAS.find((p) => p.name === name);
  if (!spec) throw new Error(`unknown persona "${name}"; known: ${personaNames().join(', ')}`);
  return spec;
}

/** A persona by name, with its feature set derived. */
export function loadPersona(name: string): Persona {
  return resolvePersona(specByName(name));
}

function capHex(p: Persona): string {
  // CAP_SYS_ADMIN 21, CAP_PERFMON 38, CAP_BPF 39
  let v = 0n;
  if (p.euid === 0 && p.caps.sysAdmin) v = 0x1fffeffffffn;
  else {
    if (p.caps.sysAdmin) v |= 1n << 21n;
    if (p.caps.perfmon) v |= 1n << 38n;
    if (p.caps.bpf) v |= 1n << 39n;
  }
  return v.toString(16).padStart(16, '0');
}

const X86_FORMATS = {
  event: 'config:0-7', umask: 'config:8-15', edge: 'config:18', pc: 'config:19', inv: 'config:23', cmask: 'config:24-31',
};
const ARM_FORMATS = { event: 'config:0-15', long: 'config1:0' };

/** The Environment readEnvironment() would report on this persona's machine. */
export function environmentOf(p: Persona): Environment {
  const pmus: PmuInfo[] = [
    { name: 'software', type: 1, formats: {}, caps: {}, events: [] },
  ];
  if (p.features.has('event.tracepoint')) pmus.push({ name: 'tracepoint', type: 2, formats: {}, caps: {}, events: [] });
  if (p.features.has('event.breakpoint')) pmus.push({ name: 'breakpoint', type: 5, formats: {}, caps: {}, events: [] });
  const hybrid = corePmus(p).length > 1;
  corePmus(p).forEach((pmu, i) => {
    const x86 = p.machine === 'x86_64';
    const caps: Record<string, string> = {};
    if (x86) {
      caps.max_precise = String(pmu.maxPrecise);
      if (pmu.branchStack) caps.branches = '32';
      if (hybrid) caps.pmu_name = pmu.name === 'cpu_atom' ? 'gracemont' : 'alderlake_hybrid';
    }
    // A hybrid machine splits its CPUs between the core PMUs.
    const cpus = cpusOfCore(p, i);
    pmus.push({
      name: pmu.name, type: pmu.type, formats: { ...(pmu.formats ?? (x86 ? X86_FORMATS : ARM_FORMATS)) }, caps,
      events: pmu.sysfsEvents ? [...pmu.sysfsEvents] : (pmu.hardwareEvents ?? []).map((e) => e.replace(/_/g, '-')),
      cpumask: cpus.join(','), core: true,
    });
  });
  for (const x of p.extraPmus) {
    const aliases = Object.fromEntries(Object.entries(x.events).map(([name, config]) => [name, { terms: `event=0x${config.toString(16)}` }]));
    pmus.push({ name: x.name, type: x.type, formats: { event: 'config:0-63' }, caps: {}, events: Object.keys(x.events), aliases });
  }
  return {
    arch: archOf(p.machine),
    paranoid: p.paranoid,
    euid: p.euid,
    capabilities: { effective: capHex(p), perfmon: p.caps.perfmon, sysAdmin: p.caps.sysAdmin, bpf: p.caps.bpf },
    seccomp: p.seccomp ? { mode: 2, filters: 1 } : { mode: 0, filters: 0 },
    container: [...p.container],
    pmus,
    bootId: `00000000-0000-4000-8000-${Buffer.from(p.name).toString('hex').slice(0, 12).padEnd(12, '0')}`,
    tracefs: p.tracepoints ? tracefsFor(p.tracepoints) : null,
    // /proc/sys/kernel/perf_user_access exists on arm64 only (arch/arm64/kernel/perf_event.c, then drivers/perf/arm_pmuv3.c).
    perfUserAccess: p.machine === 'aarch64' ? p.perfUserAccess : null,
  };
}

/**
 * A simulated machine: kernel, environment and uname to pass straight to
 * getCapabilities({ kernel, environment, uname }) or the shim. `overrides`
 * change persona data (e.g. { paranoid: 3 }, { quirks: { resetNoop: true } },
 * { add: ['read_format.lost'] } — added to the persona's own list).
 */
export function simulate(persona: string | PersonaSpec | Persona, overrides: Partial<PersonaSpec> = {}): Simulation {
  const base: PersonaSpec = typeof persona === 'string' ? specByName(persona) : persona;
  const spec: PersonaSpec = {
    ...base,
    ...overrides,
    add: [...(base.add ?? []), ...(overrides.add ?? [])],
    remove: [...(base.remove ?? []), ...(overrides.remove ?? [])],
    quirks: { ...(base.quirks ?? {}), ...(overrides.quirks ?? {}) },
  };
  const p = resolvePersona(spec);
  return {
    kernel: new SimKernel(p),
    environment: environmentOf(p),
    uname: { release: p.release, version: p.version, machine: p.machine },
  };
}
