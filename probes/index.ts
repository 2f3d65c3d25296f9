/**
 * The probe catalogue: every declaration, in the order the map lists them.
 * PMU entries depend on what sysfs shows, so the catalogue is a function of
 * the environment.
 */
import type { ProbeDeclaration } from '../src/probe/declaration';
import type { Environment } from '../src/model/capability-map';
import { accessProbes } from './access';
import { attrFieldProbes } from './attr-fields';
import { attrFlagProbes } from './attr-flags';
import { attrSizeProbes } from './attr-size';
import { auxActionProbes } from './aux-action';
import { branchSampleTypeProbes } from './branch-sample-type';
import { comboProbes } from './combos';
import { eventProbes } from './events';
import { ioctlProbes } from './ioctls';
import { mmapProbes } from './mmap';
import { openFlagProbes } from './open-flags';
import { pmuProbes } from './pmus';
import { readFormatProbes } from './read-format';
import { sampleTypeProbes } from './sample-type';

export function catalogue(env: Environment): ProbeDeclaration[] {
  return [
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
    ...pmuProbes(env),
    ...mmapProbes,
    ...accessProbes,
    ...comboProbes,
  ];
}
