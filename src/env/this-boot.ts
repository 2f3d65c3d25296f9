/**
 * Whether a described environment is this machine as booted now: the test
 * that tells the host's own capability map from one of another kernel (a
 * --from dump, a simulated kernel), whose facts must not be read from here.
 */
import type { Environment } from '../model/capability-map';
import { readBootId } from './boot-id';

let hostBootId: string | null | undefined;

/** True when `env` has this boot's boot id (both unreadable counts as the same box). */
export function isThisBoot(env: Pick<Environment, 'bootId'>): boolean {
  // The boot id cannot change while this process runs: read it once.
  if (hostBootId === undefined) hostBootId = readBootId('/proc');
  return env.bootId === hostBootId;
}
