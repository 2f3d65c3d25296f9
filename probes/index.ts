/**
 * The probe catalogue: every declaration, in the order the map lists them.
 * PMU entries depend on what sysfs shows, so the catalogue is a function of
 * the environment. featureDescription answers from the same declarations (and
 * the built-in behaviour checks) what a feature id is.
 */
import { abiFeature } from '../src/abi/features';
import type { FeatureDescription, ProbeDeclaration } from '../src/probe/contract';
import type { Environment } from '../src/model/capability-map';
import { accessProbes } from './access';
import { attrFieldProbes } from './attr-fields';
import { attrFlagProbes } from './attr-flags';
import { attrSizeProbes } from './attr-size';
import { auxActionProbes } from './aux-action';
import { BEHAVIOUR_CHECKS } from './behaviour';
import { branchSampleTypeProbes } from './branch-sample-type';
import { comboProbes } from './combos';
import { eventProbes } from './events';
import { ioctlProbes } from './ioctls';
import { mmapProbes } from './mmap';
import { openFlagProbes } from './open-flags';
import { pmuDescription, pmuProbes } from './pmus';
import { readFormatProbes } from './read-format';
import { sampleTypeProbes } from './sample-type';

/** Declarations before the PMU entries. */
const BEFORE_PMUS: readonly ProbeDeclaration[] = [
  ...attrSizeProbes,
  ...attrFlagProbes,
  ...auxActionProbes,
  ...attrFieldProbes,
  ...readFormatProbes,
  ...sampleTypeProbes,
  ...branchSampleTypeProbes,
  ...openFlagProbes,
  ...ioctlProbes,
  ...eventProbes,
];

const AFTER_PMUS: readonly ProbeDeclaration[] = [...mmapProbes, ...accessProbes, ...comboProbes];

export function catalogue(env: Environment): ProbeDeclaration[] {
  return [...BEFORE_PMUS, ...pmuProbes(env), ...AFTER_PMUS];
}

let byId: ReadonlyMap<string, ProbeDeclaration> | undefined;

/**
 * What a feature id is, from its declaration (the ABI tables give the
 * mainline of theirs); PMU ids whether or not this machine has the PMU;
 * behaviour ids from their check. undefined for an id nothing declares.
 */
export function featureDescription(id: string): FeatureDescription | undefined {
  byId ??= new Map([...BEFORE_PMUS, ...AFTER_PMUS].map((d) => [d.id, d]));
  const d = byId.get(id);
  if (d !== undefined) {
    const mainline = d.mainline ?? abiFeature(id)?.mainline;
    return mainline !== undefined ? { description: d.description, mainline } : { description: d.description };
  }
  const dot = id.indexOf('.');
  const family = id.slice(0, dot);
  const name = id.slice(dot + 1);
  if (dot < 0 || name === '') return undefined;
  if (family === 'pmu') return { description: pmuDescription(name) };
  if (family === 'behaviour') {
    const check = BEHAVIOUR_CHECKS.find((c) => c.name === name);
    // A check from a --cases directory: only its name is known here.
    return { description: `behaviour check ${name}: ${check?.description ?? 'accepted and also does what it should'}` };
  }
  return undefined;
}
