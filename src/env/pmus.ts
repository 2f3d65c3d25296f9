/**
 * PMU discovery from <sysfs>/bus/event_source/devices/*: type number,
 * format/ terms (raw strings), caps/, event alias names, cpumask and whether
 * it is a core PMU (the one generic hardware events map to).
 */
import type { PmuInfo } from '../model/capability-map';
import { join, listDir, readDirFiles, readTrimmed } from './read-file';

const CORE_NAMES = /^(cpu|cpu_core|cpu_atom|armv[0-9]+_.*|arm_cortex_.*|armv8_pmuv3.*)$/;

export function readPmu(devicesDir: string, name: string): PmuInfo | null {
  const dir = join(devicesDir, name);
  const typeText = readTrimmed(join(dir, 'type'));
  if (typeText === null || !/^\d+$/.test(typeText)) return null;
  const events = listDir(join(dir, 'events')).filter((e) => !/\.(scale|unit|per-pkg|snapshot)$/.test(e));
  const pmu: PmuInfo = {
    name,
    type: Number(typeText),
    formats: readDirFiles(join(dir, 'format')),
    caps: readDirFiles(join(dir, 'caps')),
    events,
  };
  const cpumask = readTrimmed(join(dir, 'cpumask')) ?? readTrimmed(join(dir, 'cpus'));
  if (cpumask !== null) pmu.cpumask = cpumask;
  if (CORE_NAMES.test(name)) pmu.core = true;
  return pmu;
}

export function readPmus(sysfsRoot: string): PmuInfo[] {
  const devicesDir = join(sysfsRoot, 'bus', 'event_source', 'devices');
  const out: PmuInfo[] = [];
  for (const name of listDir(devicesDir)) {
    const p = readPmu(devicesDir, name);
    if (p) out.push(p);
  }
  return out;
}
