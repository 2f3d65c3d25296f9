/**
 * The arm64 (hardware PMU) section of REPORT.md: per guest the kernel's PMU,
 * the unprivileged maps per paranoid level, probe stat, EventSets of 1…10
 * cycles events against a lone counter, the Sampler, rdpmc with
 * perf_user_access 0/1, and what perfcompat 0.1.0 is known to get wrong there.
 */
import type { KernelRun, GuestMap } from './matrix';
import { PARANOID_LEVELS } from './pmu';
import { testEntries } from './report';
import { counterLines } from './mitata';

const esc = (t: string) => t.replace(/\|/g, '\\|');

function statusOf(m: GuestMap | string | undefined, id: string): string {
  if (m === undefined) return 'no output';
  if (typeof m === 'string') return 'not usable (exit 3)';
  const f = m.features[id];
  if (!f) return 'absent';
  return `${f.status}${f.value !== undefined ? ` = ${JSON.stringify(f.value)}` : ''}${f.errnoName ? ` (${f.errnoName})` : ''}`;
}

function counts(m: GuestMap | string | undefined): string {
  if (m === undefined) return 'no map';
  if (typeof m === 'string') return `not usable (exit 3): ${esc(m.replace(/^probe: /, ''))}`;
  const c: Record<string, number> = {};
  for (const f of Object.values(m.features)) c[f.status] = (c[f.status] ?? 0) + 1;
  return Object.entries(c).map(([s, n]) => `${n} ${s}`).join(', ');
}

/** The ids issue 14 names as wrong in 0.1.0 on arm64, and what each says here. */
export const KNOWN_WRONG = ['combo.group_schedulability', 'combo.precise_ip', 'mmap.cap_user_rdpmc'] as const;

export function renderPmuSection(kernels: readonly KernelRun[]): string[] {
  const arm = kernels.filter((k) => k.spec.arch !== 'amd64');
  if (arm.length === 0) return [];
  const L: string[] = ['## arm64 guests (qemu PMUv3)', ''];
  L.push('qemu-system-aarch64 -M virt under TCG emulates an ARMv8 PMU; Debian trixie\'s arm64 node runs the probe and `guest/pmu-check.ts` (the public API) as root, the probe also as uid 65534 at each perf_event_paranoid level. qemu\'s cycles follow the host\'s clock under TCG, so counts against a lone counter run before and after scatter with the host\'s load.', '');
  L.push('| kernel | PMU (sysfs type) | counters (boot message) | root | paranoid 2 | 1 | 0 | -1 | boot→poweroff |');
  L.push('|---|---|---|---|---|---|---|---|---|');
  for (const k of arm) {
    const c = k.pmu?.check?.kernel;
    const hw = c?.pmus.filter((p) => p.format !== undefined) ?? [];
    L.push(`| ${k.guest?.release ?? k.spec.text} | ${hw.map((p) => `${p.name} (${p.type})`).join(', ') || '—'} | ${c?.counters ?? '—'} | ${counts(k.root)} | ${PARANOID_LEVELS.map((l) => counts(k.pmu?.user.get(l))).join(' | ')} | ${k.boot ? `${k.boot.seconds.toFixed(1)} s` : '—'} |`);
  }
  L.push('');
  for (const k of arm) {
    const p = k.pmu;
    const c = p?.check;
    L.push(`### ${k.guest?.release ?? k.spec.text} (\`${k.spec.text}\`)`, '');
    if (k.boot) L.push(`- Timings: boot→poweroff ${k.boot.seconds.toFixed(1)} s (in the guest: ${[...new Set(k.outputs.values())].map((o) => `${o.name} ${o.seconds?.toFixed(1) ?? '?'} s`).join(', ')})`);
    if (c) {
      L.push(`- Kernel: ${c.kernel.dmesg.map((l) => `\`${esc(l.replace(/^\[[^\]]*\]\s*/, ''))}\``).join('; ') || 'no PMU boot message'}; paranoid ${c.kernel.paranoid}, perf_user_access ${c.kernel.perfUserAccess}`);
      for (const hw of c.kernel.pmus.filter((x) => x.format !== undefined)) {
        L.push(`- ${hw.name}: type ${hw.type}, format ${Object.entries(hw.format ?? {}).map(([f, v]) => `${f}=${v}`).join(' ')}; ${hw.events?.length ?? 0} events (${(hw.events ?? []).slice(0, 12).join(', ')}${(hw.events?.length ?? 0) > 12 ? ', …' : ''})`);
      }
      L.push(`- openEvent: ${Object.entries(c.opens).map(([n, o]) => `${n} → ${o.error ? `error: ${esc(o.error)}` : o.substitutedFrom ? `${o.name} (stand-in for ${o.substitutedFrom})` : 'opens'}`).join('; ')}`);
      L.push(`- cycles on growing work (lone counter): ${c.work.map((w) => `${w.rounds / 1e6} M rounds → ${w.value ?? w.error}`).join(', ')}`);
      L.push('- EventSets of n cycles events (one set per n): groups, multiplexed members, min time_running/time_enabled, scaled / mean of lone counters before and after (min…max)');
      for (const e of c.eventSets) {
        if ('error' in e) { L.push(`  - error: ${esc(e.error)}`); continue; }
        const loneMean = (e.lone[0]! + e.lone[1]!) / 2;
        const ratio = e.values.map((v) => v.scaled / loneMean);
        const run = Math.min(...e.values.map((v) => (v.timeEnabled > 0 ? v.timeRunning / v.timeEnabled : 0)));
        L.push(`  - n=${e.n}: size ${e.size}, ${e.groups} group(s), ${e.values.filter((v) => v.multiplexed).length} multiplexed, running/enabled ≥ ${run.toFixed(2)}, scaled/lone ${Math.min(...ratio).toFixed(2)}…${Math.max(...ratio).toFixed(2)}${e.splits.length ? `; ${e.splits.length} split(s), e.g. "${esc(e.splits[0]!)}"` : ''}`);
      }
      for (const e of c.separate) {
        if ('error' in e) { L.push(`- separate counters: error: ${esc(e.error)}`); continue; }
        const loneMean = (e.lone[0]! + e.lone[1]!) / 2;
        const ratio = e.values.map((v) => v.scaled / loneMean);
        const pin = e.pinned ? e.values.map((v) => v.scaled / e.pinned.value) : [];
        L.push(`- ${e.n} separate cycles counters beside a pinned one: ${e.values.filter((v) => v.multiplexed).length} multiplexed, min running/enabled ${Math.min(...e.values.map((v) => (v.timeEnabled > 0 ? v.timeRunning / v.timeEnabled : 0))).toFixed(2)}, scaled/pinned ${pin.length ? `${Math.min(...pin).toFixed(2)}…${Math.max(...pin).toFixed(2)}` : '—'}, scaled/lone ${Math.min(...ratio).toFixed(2)}…${Math.max(...ratio).toFixed(2)}`);
      }
      const s = c.sampler;
      if ('error' in s) L.push(`- Sampler on cycles: error: ${esc(s.error)}`);
      else L.push(`- Sampler on cycles (period ${s.period}): ${s.samples} samples of ${s.records} records, lost ${s.lost}, ${s.ownPid} of this pid, IPs in this process's executable mappings ${s.inText}, in the kernel ${s.kernel}, EXACT_IP ${s.exactIp}; by mapping ${Object.entries(s.byMapping).map(([m, n]) => `${m} ${n}`).join(', ')}`);
    }
    const st = p?.stat;
    if (st) {
      L.push(`- \`probe stat -e cycles,instructions,task-clock\` (exit ${st.rc}):`, '', '```', ...`${st.stderr}\n${st.stdout}`.trim().split('\n').slice(0, 20), '```', '');
    }
    const ur = p?.userRead;
    if (ur) {
      const path = ur.paths?.[0];
      L.push(ur.error !== undefined ? `- EventSet user-space read (perf_user_access ${ur.perfUserAccess}): error: ${esc(ur.error)}`
        : `- EventSet user-space read (perf_user_access ${ur.perfUserAccess}): cycles path ${path?.path} (${esc(path?.reason ?? '')}); ${ur.stats?.user} user reads, ${ur.stats?.syscall} fell back${ur.stats?.lastRefusal ? ` (${esc(ur.stats.lastRefusal)})` : ''}; ${ur.nsUser?.toFixed(0)} ns/read vs read() ${ur.nsSyscall?.toFixed(0)} ns/read (ratio ${((ur.nsUser ?? NaN) / (ur.nsSyscall ?? NaN)).toFixed(2)}×)`);
    }
    const mi = p?.mitata;
    if (mi) {
      const x = mi.cycles?.x1;
      const cyc = x && !('error' in x) ? x.events.cycles?.raw : undefined;
      L.push(`- mitata's \`run()\` with @perfcompat/mitata-counters as @mitata/counters: drop-in init() ${mi.initError ? `refused (${mi.initError.code}), not countable here: ${mi.needed.filter((n) => !mi.here.events[n]?.ok).join(', ')}` : 'counts'}; ${counterLines(mi.lines).length} counter lines; cycles of the same function (provider, 20 rounds) ${cyc ? `${cyc.min}…${cyc.max}` : '—'}:`, '', '```', ...mi.lines.slice(0, 14), '```', '');
    }
    L.push(`- mmap.cap_user_rdpmc: perf_user_access 0 → ${statusOf(p?.rdpmc.get(0), 'mmap.cap_user_rdpmc')}; perf_user_access 1 → ${statusOf(p?.rdpmc.get(1), 'mmap.cap_user_rdpmc')}`);
    for (const level of PARANOID_LEVELS) {
      const ch = p?.userCheck.get(level);
      if (ch) L.push(`- Header check, unprivileged at paranoid ${level}: ${ch.checked} checked, ${ch.violations.length} violations${ch.violations.length ? `: ${ch.violations.map((v) => v.id).join(', ')}` : ''}`);
    }
    L.push('- The answers 0.1.0 had wrong here (issue 14), now asserted by the matrix:');
    for (const id of KNOWN_WRONG) {
      const f = k.root?.features[id];
      L.push(`  - \`${id}\`: ${statusOf(k.root, id)}${f?.reason ? ` — ${esc(f.reason)}` : ''}`);
    }
    for (const [who, out] of [['root', 'root.test'], ['unprivileged', 'user.test']] as const) {
      const mux = testEntries(k.outputs.get(out)?.json).find(([id]) => /(^|\.)multiplexing$/.test(id))?.[1];
      const m = mux?.measured;
      const how = m ? `; ${String(m.events)} events, reference ${String(m.reference)}, worst deviation ${String(m.worstDeviation)}, the lone reference drifted ${String(m.referenceDrift)}` : '';
      L.push(`  - \`probe test\` multiplexing check, ${who}: ${mux ? `${mux.status}${mux.reason ? ` (${esc(mux.reason)})` : ''}${how}` : 'not reported'}`);
    }
    for (const e of p?.errors ?? []) L.push(`- ERROR: ${esc(e.split('\n')[0]!)}`);
    L.push('');
  }
  return L;
}
