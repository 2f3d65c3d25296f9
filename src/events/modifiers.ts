/**
 * Event modifiers as perf defines them (:u :k :h :I :G :H :p :pp :ppp :P :S
 * :D :e :W), mapped to attr fields, and checked against a capability map.
 *
 * u/k/h: the first of them excludes all three privilege levels, each then
 * re-includes its own (so :u counts user only, :uk user and kernel).
 * G/H likewise for guest/host. :u and :p also set exclude_guest unless G or H
 * was given, as perf does on a host. Modifiers of a group are applied after
 * each member's own.
 */
import { PERF_SAMPLE } from '../abi/constants';
import type { CapabilityMap } from '../model/capability-map';
import { PerfcompatError } from '../errors';
import { capabilityToGrant } from '../model/privilege';

export const MODIFIER_CHARS = 'ukhIGHpPSDeW';

export const MODIFIER_MEANING: Readonly<Record<string, string>> = {
  u: 'count user space', k: 'count kernel space', h: 'count the hypervisor', I: 'do not count when idle',
  G: 'count in guests', H: 'count in the host', p: 'precise level (repeat for more: p, pp, ppp)',
  P: 'highest precise level available', S: 'read the counter values in samples (PERF_SAMPLE_READ)',
  D: 'pin the event to the PMU', e: 'exclusive use of the PMU', W: 'weak group (the group may be split)',
};

export function isModifierString(s: string): boolean {
  if (s.length === 0) return false;
  for (const c of s) if (!MODIFIER_CHARS.includes(c)) return false;
  return true;
}

/** Modifier state that attr bits alone do not carry. */
export interface ModifierState {
  /** G or H was given (perf's exclude_GH). */
  excludeGH: boolean;
  /** The letters applied so far. */
  letters: string;
}

export type Attr = Record<string, number | bigint>;

function bit(attr: Attr, name: string): number {
  return Number(attr[name] ?? 0);
}

/**
 * Apply a modifier string to an attr (in place). `what` names the event for
 * error messages. Throws ERR_EVENT_NAME for an unknown letter or precise > 3.
 */
export function applyModifiers(attr: Attr, mods: string, state: ModifierState, what: string): void {
  let eu = bit(attr, 'exclude_user');
  let ek = bit(attr, 'exclude_kernel');
  let eh = bit(attr, 'exclude_hv');
  let eG = bit(attr, 'exclude_guest');
  let eH = bit(attr, 'exclude_host');
  let exclude = eu | ek | eh;
  let excludeGH = state.excludeGH;
  let precise = bit(attr, 'precise_ip');
  let usedPrivilege = false;
  let usedGH = false;
  for (let i = 0; i < mods.length; i++) {
    const c = mods[i]!;
    switch (c) {
      case 'u': if (!exclude) exclude = eu = ek = eh = 1; if (!excludeGH) eG = 1; eu = 0; usedPrivilege = true; break;
      case 'k': if (!exclude) exclude = eu = ek = eh = 1; ek = 0; usedPrivilege = true; break;
      case 'h': if (!exclude) exclude = eu = ek = eh = 1; eh = 0; usedPrivilege = true; break;
      case 'G': if (!excludeGH) { excludeGH = true; eG = eH = 1; } eG = 0; usedGH = true; break;
      case 'H': if (!excludeGH) { excludeGH = true; eG = eH = 1; } eH = 0; usedGH = true; break;
      case 'I': attr.exclude_idle = 1; break;
      case 'p':
        precise++;
        if (!excludeGH) eG = 1;
        if (precise > 3) {
          throw new PerfcompatError('ERR_EVENT_NAME', `event "${what}": modifier :${mods} asks for precise level ${precise}; the highest is 3 (:ppp)`);
        }
        break;
      case 'P': attr.__precise_max = 1; break;
      case 'S': attr.sample_type = BigInt(attr.sample_type ?? 0n) | PERF_SAMPLE.READ!; break;
      case 'D': attr.pinned = 1; break;
      case 'e': attr.exclusive = 1; break;
      case 'W': break; // a group property: sets no attr bit; parseEventList marks the group weak; EventSet forms its own groups (never a written one), at most the measured group limit
      default:
        throw new PerfcompatError('ERR_EVENT_NAME',
          `event "${what}": unknown modifier "${c}" in ":${mods}"; valid modifiers: ${[...MODIFIER_CHARS].map((m) => `${m} (${MODIFIER_MEANING[m]})`).join(', ')}`);
    }
  }
  if (usedPrivilege || eu || ek || eh) { attr.exclude_user = eu; attr.exclude_kernel = ek; attr.exclude_hv = eh; }
  if (usedGH || eG || eH) { attr.exclude_guest = eG; attr.exclude_host = eH; }
  if (precise) attr.precise_ip = precise;
  state.excludeGH = excludeGH;
  state.letters += mods;
}

function featureStatus(caps: CapabilityMap, id: string): { status: string; value?: unknown; errnoName?: string } | undefined {
  return caps.features?.[id];
}

/**
 * Check the applied modifiers against a capability map and settle :P.
 * Only :k when access.kernel is denied is refused here: an explicit request to
 * count kernel space (a typed spec cannot say "explicitly" — exclude_kernel 0 is
 * the default — so planOpen adapts it there, and refuses exclude_user-only).
 */
export function checkModifiers(attr: Attr, letters: string, caps: CapabilityMap | undefined, what: string, sysfsMaxPrecise?: number): void {
  const preciseMax = attr.__precise_max !== undefined;
  delete attr.__precise_max;
  const precise = caps ? featureStatus(caps, 'combo.precise_ip') : undefined;
  if (preciseMax) {
    // :P — the highest level honoured (map: combo.precise_ip, measured by EXACT_IP samples), else the core PMU's caps/max_precise, else none.
    const v = precise ? (precise.status === 'supported' && typeof precise.value === 'number' ? precise.value : 0) : sysfsMaxPrecise ?? 0;
    if (v > 0) attr.precise_ip = Math.max(Number(attr.precise_ip ?? 0), Math.min(3, v));
  }
  if (!caps) return;
  if (letters.includes('k')) {
    const k = featureStatus(caps, 'access.kernel');
    if (k && k.status === 'denied') {
      const paranoid = caps.environment?.paranoid;
      throw new PerfcompatError('ERR_EVENT_NAME',
        `event "${what}": modifier :k asks to count kernel space, which is denied for this caller (access.kernel: denied${k.errnoName ? `, ${k.errnoName}` : ''}` +
        `${paranoid !== null && paranoid !== undefined ? `; perf_event_paranoid is ${paranoid}` : ''}); use :u, or run with ${capabilityToGrant(paranoid)} or a lower perf_event_paranoid`);
    }
  }
  // :p… beyond combo.precise_ip and :G/:H the kernel refuses are not decided here:
  // the attr goes to the shim's planOpen, which decides them as for a typed spec
  // (one decision per capability, policy strict / allowPreciseDowngrade).

}
