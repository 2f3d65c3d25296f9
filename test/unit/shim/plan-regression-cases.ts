/**
 * The cases of the planOpen regression fixture: capability maps (every
 * simulated persona the engine can probe, plus variants of mainline-6.18 where
 * one entry a special step consults is changed), a set of typed specs that
 * reach every step, and the policies. `outcomeOf` turns a planOpen call into
 * plain JSON: the whole plan (attr, bytes as hex, flags, adaptations, …) or
 * the error (code, message, errno).
 *
 * Run this file with node (after the build) to write the fixture:
 *   node dist/test/unit/shim/plan-regression-cases.js
 * It was written once with the planOpen of before its steps became a table,
 * so the test that reads it proves the refactor changed no decision, message
 * or byte. Regenerate it only for a deliberate change of behaviour.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BRANCH_SAMPLE_TYPE, CLOCK_IDS, READ_FORMAT, SAMPLE_TYPE } from '../../../src/abi/constants';
import { PerfcompatError } from '../../../src/errors';
import type { CapabilityMap, FeatureEntry } from '../../../src/model/capability-map';
import { getCapabilities } from '../../../src/root';
import { planOpen } from '../../../src/shim/adapt';
import type { EventSpec, Policy } from '../../../src/shim/types';
import { personaNames, simulate } from '../../sim';

export const FIXTURE = resolve(__dirname, '../../../../test/unit/shim/fixtures/plan-open-regression.json');

function mask(table: readonly { name: string; bit: number }[], ...names: string[]): bigint {
  let m = 0n;
  for (const n of names) {
    const b = table.find((x) => x.name === n);
    if (!b) throw new Error(`no bit ${n}`);
    m |= 1n << BigInt(b.bit);
  }
  return m;
}
const st = (...n: string[]): bigint => mask(SAMPLE_TYPE, ...n);
const rf = (...n: string[]): bigint => mask(READ_FORMAT, ...n);
const br = (...n: string[]): bigint => mask(BRANCH_SAMPLE_TYPE, ...n);

const CYCLES = { type: 0, config: 0 };
const TASK = { type: 1, config: 1 };
const SAMPLING = { type: 1, config: 0, sample_period: 10_000 };

/** Specs by label: every step of planOpen acts on some of them on some map. */
export const SPECS: Readonly<Record<string, unknown>> = {
  'cycles': CYCLES,
  'instructions': { type: 0, config: 1 },
  'cache-misses': { type: 0, config: 3 },
  'bus-cycles': { type: 0, config: 6 },
  'ref-cycles': { type: 0, config: 9 },
  'named cycles': { ...CYCLES, name: 'my-cycles' },
  'cycles:p': { ...CYCLES, precise_ip: 1 },
  'cycles:pp': { ...CYCLES, precise_ip: 2 },
  'cycles:ppp': { ...CYCLES, precise_ip: 3 },
  'instructions:ppp': { type: 0, config: 1, precise_ip: 3 },
  'raw precise 2': { type: 4, config: 0x3c, precise_ip: 2 },
  'L1D read miss': { type: 3, config: 0x10000 },
  'L1D read miss precise': { type: 3, config: 0x10000, precise_ip: 1 },
  'cpu-clock': { type: 1, config: 0 },
  'task-clock': TASK,
  'page-faults precise': { type: 1, config: 2, precise_ip: 2 },
  'tracepoint': { type: 2, config: 1 },
  'breakpoint': { type: 5, config: 0, bp_type: 1, config1: 0x1000, config2: 8 },
  'pmu type 8': { type: 8, config: 0x11, precise_ip: 1, exclude_guest: 1 },
  'pmu type 9': { type: 9, config: 0, exclude_guest: 1, exclude_host: 1 },
  'pmu type 10': { type: 10, config: 0xc0, precise_ip: 3 },
  'pmu type 42': { type: 42, config: 1 },
  'cycles exclude_guest': { ...CYCLES, exclude_guest: 1 },
  'cycles exclude_host': { ...CYCLES, exclude_host: true },
  'cycles exclude both': { ...CYCLES, exclude_guest: 1, exclude_host: 1 },
  'cycles kernel only': { ...CYCLES, exclude_user: 1 },
  'cycles user only': { ...CYCLES, exclude_kernel: 1, exclude_hv: 1 },
  'task-clock no kernel': { ...TASK, exclude_kernel: 1 },
  'task-clock no hv': { ...TASK, exclude_hv: 1 },
  'task-clock kernel only': { ...TASK, exclude_user: 1, exclude_hv: 1 },
  'sample ip tid time': { ...SAMPLING, sample_type: st('ip', 'tid', 'time') },
  'sample weight_struct': { ...SAMPLING, sample_type: st('ip', 'weight_struct') },
  'sample identifier': { ...SAMPLING, sample_type: st('identifier', 'ip') },
  'sample page sizes': { ...SAMPLING, sample_type: st('data_page_size', 'code_page_size', 'addr') },
  'sample cgroup': { ...SAMPLING, sample_type: st('cgroup'), cgroup: 1 },
  'sample branch stack': { ...SAMPLING, sample_type: st('branch_stack'), branch_sample_type: br('any', 'hw_index', 'no_flags', 'no_cycles', 'type_save', 'priv_save', 'counters') },
  'sample read inherit': { ...SAMPLING, sample_type: st('read'), inherit: 1 },
  'read id lost': { ...TASK, read_format: rf('id', 'lost') },
  'read group': { ...TASK, read_format: rf('group', 'id', 'total_time_enabled') },
  'read group inherit': { ...TASK, read_format: rf('group', 'id'), inherit: 1 },
  'sample_max_stack': { ...SAMPLING, sample_type: st('callchain'), sample_max_stack: 32 },
  'side-band records': { ...SAMPLING, sample_id_all: 1, mmap: 1, comm: 1, mmap2: 1, comm_exec: 1, context_switch: 1, namespaces: 1, ksymbol: 1, bpf_event: 1, cgroup: 1, text_poke: 1, build_id: 1, mmap_data: 1 },
  ...Object.fromEntries(CLOCK_IDS.map((c) => [`clock ${c.name}`, { ...SAMPLING, sample_type: st('time'), use_clockid: 1, clockid: c.value }])),
  'write_backward': { ...SAMPLING, write_backward: 1 },
  'aux_output': { ...CYCLES, aux_output: 1 },
  'inherit_thread': { ...TASK, inherit: 1, inherit_thread: 1 },
  'remove_on_exec': { ...TASK, remove_on_exec: 1 },
  'sigtrap': { ...SAMPLING, sigtrap: 1, sig_data: 7 },
  'sigtrap remove_on_exec': { ...SAMPLING, sigtrap: 1, remove_on_exec: 1 },
  'callchain exclusions': { ...SAMPLING, sample_type: st('callchain'), exclude_callchain_kernel: 1, exclude_callchain_user: 1 },
  'deferred callchain': { ...SAMPLING, sample_type: st('callchain'), defer_callchain: 1, defer_output: 1 },
  'config3': { ...CYCLES, config3: 5 },
  'sample_regs_intr': { ...SAMPLING, sample_type: st('regs_intr'), sample_regs_intr: 0xff },
  'aux_watermark': { type: 1, config: 0, aux_watermark: 4096 },
  'freq and disabled': { ...CYCLES, freq: 1, sample_freq: 4000, disabled: true, enable_on_exec: 1 },
  'strict-free cpu-clock user only': { type: 1, config: 0, exclude_kernel: 1, exclude_hv: 1 },
  // Bad input.
  'null spec': null,
  'string spec': 'cycles',
  'type -1': { type: -1, config: 0 },
  'type 1.5': { type: 1.5, config: 0 },
  'name not string': { type: 1, config: 0, name: 5 },
  'string field': { type: 1, config: '0' },
  'unknown field': { type: 1, config: 0, bogus: 1 },
  'size given': { type: 1, config: 0, size: 64 },
  'flags given': { type: 1, config: 0, flags: 1 },
  'undefined field': { type: 1, config: 0, precise_ip: undefined },
};

export const POLICIES: Readonly<Record<string, Policy>> = {
  'default': {},
  'strict': { strict: true },
  'software': { fallback: 'software' },
  'downgrade': { allowPreciseDowngrade: true },
  'strict+software+downgrade': { strict: true, fallback: 'software', allowPreciseDowngrade: true },
};

function withEntries(base: CapabilityMap, change: Record<string, FeatureEntry | undefined>): CapabilityMap {
  const features = { ...base.features };
  for (const [id, e] of Object.entries(change)) {
    if (e === undefined) delete features[id];
    else features[id] = e;
  }
  return { ...base, features };
}

/** The maps by label; undefined is "no map". */
export function caseMaps(): Record<string, CapabilityMap | undefined> {
  const maps: Record<string, CapabilityMap | undefined> = { 'no map': undefined };
  for (const name of personaNames()) {
    try {
      maps[name] = getCapabilities({ ...simulate(name), cache: false });
    } catch (e) {
      if (!(e instanceof PerfcompatError && e.code === 'ERR_PERF_UNAVAILABLE')) throw e;
    }
  }
  const m = maps['mainline-6.18']!;
  const einval = { status: 'unsupported', errno: 22, errnoName: 'EINVAL' } as const;
  const variants: Record<string, Record<string, FeatureEntry | undefined>> = {
    'precise 2': { 'combo.precise_ip': { status: 'supported', value: 2 } },
    'precise 0 supported': { 'combo.precise_ip': { status: 'supported', value: 0 } },
    'precise supported no value': { 'combo.precise_ip': { status: 'supported' } },
    'precise untestable': { 'combo.precise_ip': { status: 'untestable' } },
    'precise error': { 'combo.precise_ip': { status: 'error', value: 3 } },
    'precise absent': { 'combo.precise_ip': undefined },
    'exclude_guest required': { 'combo.exclude_guest': { status: 'supported', value: 'required' } },
    'exclude_guest refused': { 'combo.exclude_guest': einval },
    'exclude_host refused': { 'combo.exclude_host': einval },
    'attr exclude_guest refused': { 'attr.exclude_guest': einval, 'attr.exclude_host': einval },
    'kernel denied': { 'access.kernel': { status: 'denied', errno: 13, errnoName: 'EACCES' } },
    'kernel denied no errno': { 'access.kernel': { status: 'denied' } },
    'cloexec denied': { 'open_flags.fd_cloexec': { status: 'denied', errno: 1, errnoName: 'EPERM' } },
    'cloexec absent, size absent': { 'open_flags.fd_cloexec': undefined, 'attr.size': undefined },
    'size 64': { 'attr.size': { status: 'supported', value: 64 } },
    'cycles no-hardware': { 'event.hardware.cpu_cycles': { status: 'no-hardware', errno: 2, errnoName: 'ENOENT' }, 'event.hardware.instructions': { status: 'unsupported' } },
    'cache no-hardware': { 'event.hw_cache.l1d.read.miss': { status: 'no-hardware', errno: 2, errnoName: 'ENOENT' }, 'event.hardware.cache_misses': { status: 'no-hardware', errno: 95 } },
    'tracepoint refused': { 'event.tracepoint': einval, 'event.software.task_clock': { status: 'unsupported', errno: 2 } },
    'sigtrap needs remove_on_exec': { 'combo.sigtrap_without_remove_on_exec': einval },
    'side-band refused': Object.fromEntries(['attr.sample_id_all', 'attr.mmap2', 'attr.comm_exec', 'attr.exclude_host', 'read_format.id', 'read_format.group',
      'attr.exclude_callchain_kernel', 'attr.exclude_callchain_user', 'attr.mmap_data', ...CLOCK_IDS.map((c) => `combo.clockid.${c.name}`)].map((id) => [id, einval])),
    'everything refused': Object.fromEntries(Object.keys(m.features).filter((id) => id !== 'attr.size' && !id.startsWith('open_flags.')).map((id) => [id, einval])),
  };
  for (const [label, change] of Object.entries(variants)) maps[`mainline-6.18 ${label}`] = withEntries(m, change);
  return maps;
}

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (Array.isArray(v)) return v.map(plain);
  if (Buffer.isBuffer(v)) return `sha256:${createHash('sha256').update(v).digest('hex').slice(0, 24)} (${v.byteLength} bytes)`;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** planOpen's outcome as plain JSON (as the fixture holds it): the plan, or the error it throws. */
export function outcomeOf(spec: unknown, map: CapabilityMap | undefined, policy: Policy): unknown {
  return JSON.parse(JSON.stringify(rawOutcome(spec, map, policy))) as unknown;
}

function rawOutcome(spec: unknown, map: CapabilityMap | undefined, policy: Policy): unknown {
  try {
    const plan = planOpen(spec as EventSpec, { ...(map ? { map } : {}), policy });
    return { plan: plain(plan) };
  } catch (e) {
    if (!(e instanceof PerfcompatError)) return { crash: String(e) };
    return { error: plain({ code: e.code, message: e.message, errno: e.errno, errnoName: e.errnoName }) };
  }
}

/** Outcomes by map, spec and policy (as indices into `outcomes`: repeated outcomes are stored once). */
export interface Recorded {
  policies: string[];
  cases: Record<string, Record<string, number[]>>;
  outcomes: unknown[];
}

export function recordAll(): Recorded {
  const outcomes: unknown[] = [];
  const index = new Map<string, number>();
  const cases: Recorded['cases'] = {};
  for (const [mapLabel, map] of Object.entries(caseMaps())) {
    const byMap: Record<string, number[]> = (cases[mapLabel] = {});
    for (const [specLabel, spec] of Object.entries(SPECS)) {
      byMap[specLabel] = Object.values(POLICIES).map((policy) => {
        const o = outcomeOf(spec, map, policy);
        const key = JSON.stringify(o);
        let i = index.get(key);
        if (i === undefined) { i = outcomes.length; outcomes.push(o); index.set(key, i); }
        return i;
      });
    }
  }
  return { policies: Object.keys(POLICIES), cases, outcomes };
}

/** One line per map and per outcome: small enough to read in a diff. */
function serialise(r: Recorded): string {
  const maps = Object.entries(r.cases).map(([m, specs]) => `  ${JSON.stringify(m)}: ${JSON.stringify(specs)}`);
  return `{\n "policies": ${JSON.stringify(r.policies)},\n "cases": {\n${maps.join(',\n')}\n },\n "outcomes": [\n${r.outcomes.map((o) => `  ${JSON.stringify(o)}`).join(',\n')}\n ]\n}\n`;
}

if (require.main === module) {
  const r = recordAll();
  writeFileSync(FIXTURE, serialise(r));
  process.stdout.write(`${Object.keys(r.cases).length} maps × ${Object.keys(SPECS).length} specs × ${r.policies.length} policies, ${r.outcomes.length} distinct outcomes\n`);
}
