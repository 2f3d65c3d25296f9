/**
 * Fuzz over the package's public surface (src/index.ts exports): each entry
 * point called with random and hostile arguments (null, NaN, 1.5, {}, huge
 * numbers, long strings, BigInts, wrong buffers, wrong objects). Every throw
 * must be a PerfcompatError or a RangeError whose message is under 300
 * characters, has no "[object Object]" and names the argument or the function;
 * no call may leave an fd open or hang. A fixed seed (PERFCOMPAT_FUZZ_SEED
 * overrides it to reproduce or explore) and a bounded number of calls.
 *
 * UPPER lists the entry points of src/shim, src/probe and src/events, one test
 * each (they were fixed in a second round, each check at the entry point).
 */
import assert from 'node:assert/strict';
import * as pc from '../../../src/index';
import { Prng, fuzzCases } from './prng';
import { fdChanges, openFds } from '../../helpers/fds';

const SEED = process.env.PERFCOMPAT_FUZZ_SEED ? BigInt(process.env.PERFCOMPAT_FUZZ_SEED) : 0x16_5eedn;
const CALLS = fuzzCases(120);

const LONG = 'x'.repeat(100_000);
/** Values no entry point wants where it asked for something else. */
const HOSTILE: readonly unknown[] = [
  undefined, null, NaN, 1.5, -1, 0, 1, 2 ** 53, 2 ** 31, Infinity, -Infinity, {}, [], [1, 2], 'abc', '', LONG, 'constructor', '__proto__',
  2n ** 70n, -1n, 0n, true, new Uint8Array(3), new Uint8Array(64), new ArrayBuffer(8), () => 1, { values: null }, { features: {} }, { spec: {} },
];
/** As fd arguments: never a small integer, which could be one of this process's real fds. */
const FD_HOSTILE: readonly unknown[] = [undefined, null, NaN, 1.5, -1, 2 ** 31, 2 ** 30 + 7, Infinity, {}, 'abc', LONG, 2n ** 70n, true];

/** As poll timeouts: none that waits (a valid long timeout is a wait the caller asked for, not a hang). */
const POLL_TIMEOUTS: readonly unknown[] = [0, -2, NaN, 1.5, 2 ** 31, 2 ** 53, Infinity, null, undefined, {}, 'abc', 2n ** 70n];

interface Target {
  name: string;
  /** Words one of which a message must contain: the argument names and the function's name. */
  names: string[];
  call(r: Prng, pick: (pool?: readonly unknown[]) => unknown): unknown;
}

const kernel = (): pc.RealKernel => pc.realKernel();
const any = (f: unknown) => f as (...a: unknown[]) => unknown;

/** Entry points of src/abi, src/sys, src/model and src/env, and those of the others that pass already: these must pass. */
const TARGETS: Target[] = [
  { name: 'decodeRead', names: ['buf', 'readFormat', 'length'], call: (_r, p) => any(pc.decodeRead)(p(), p(), p()) },
  { name: 'encodeRead', names: ['result', 'readFormat'], call: (_r, p) => any(pc.encodeRead)(p(), p()) },
  { name: 'readSize', names: ['readFormat', 'members'], call: (_r, p) => any(pc.readSize)(p(), p()) },
  { name: 'compileReadLayout', names: ['readFormat', 'members'], call: (_r, p) => any(pc.compileReadLayout)(p(), p()) },
  { name: 'createReadWords', names: ['layout'], call: (_r, p) => any(pc.createReadWords)(p()) },
  { name: 'createReadNumbers', names: ['layout'], call: (_r, p) => any(pc.createReadNumbers)(p()) },
  {
    name: 'decodeReadWords', names: ['layout', 'buf', 'out', 'length'],
    call: (r, p) => {
      const L = r.chance(0.5) ? pc.compileReadLayout(8, 2) : p();
      return any(pc.decodeReadWords)(L, p(), r.chance(0.5) ? pc.createReadNumbers(pc.compileReadLayout(8, 2)) : p(), p());
    },
  },
  { name: 'decodeReadNumbers', names: ['layout', 'buf', 'out', 'length'], call: (_r, p) => any(pc.decodeReadNumbers)(p(), p(), p(), p()) },
  { name: 'encodeAttr', names: ['attr', 'options', 'size'], call: (_r, p) => any(pc.encodeAttr)(p(), p()) },
  { name: 'decodeAttr', names: ['bytes', 'attr'], call: (_r, p) => any(pc.decodeAttr)(p()) },
  { name: 'attrSizeField', names: ['bytes', 'attr'], call: (_r, p) => any(pc.attrSizeField)(p()) },
  { name: 'minSizeFor', names: ['field'], call: (_r, p) => any(pc.minSizeFor)(p()) },
  { name: 'smallestAttrSize', names: ['attr'], call: (_r, p) => any(pc.smallestAttrSize)(p()) },
  { name: 'hwCacheConfig', names: ['id', 'op', 'result'], call: (_r, p) => any(pc.hwCacheConfig)(p(), p(), p()) },
  { name: 'archAbi', names: ['arch', 'architecture'], call: (_r, p) => any(pc.archAbi)(p()) },
  { name: 'ioc', names: ['enc', 'dir', 'type', 'nr', 'size'], call: (_r, p) => any(pc.ioc)(p([pc.IOCTL_ENCODING_GENERIC, ...HOSTILE]), p(['none', 'read', ...HOSTILE]), p(), p(), p()) },
  { name: 'perfIoctl', names: ['name', 'arch', 'ioctl'], call: (_r, p) => any(pc.perfIoctl)(p(['enable', ...HOSTILE]), p([pc.archAbi(process.arch), ...HOSTILE])) },
  { name: 'perfIoctlTable', names: ['arch'], call: (_r, p) => any(pc.perfIoctlTable)(p()) },
  { name: 'mapAnonymousFixed', names: ['arch'], call: (_r, p) => any(pc.mapAnonymousFixed)(p()) },
  { name: 'readMmapPageField', names: ['view', 'field'], call: (_r, p) => any(pc.readMmapPageField)(p([new DataView(new ArrayBuffer(4096)), ...HOSTILE]), p(['data_head', ...HOSTILE])) },
  { name: 'decodeRecord', names: ['bytes', 'layout', 'offset', 'record'], call: (_r, p) => any(pc.decodeRecord)(p(), p([{ sampleType: 7 }, ...HOSTILE]), p()) },
  { name: 'decodeRecords', names: ['bytes', 'layout', 'record'], call: (_r, p) => any(pc.decodeRecords)(p(), p([{ sampleType: 7 }, ...HOSTILE])) },
  { name: 'compileLayout', names: ['layout', 'sampleType', 'readFormat', 'branchSampleType', 'sampleRegs'], call: (_r, p) => any(pc.compileLayout)(p([{ sampleType: p() }, { sampleType: 1, readFormat: p() }, ...HOSTILE])) },
  { name: 'RecordView', names: ['layout', 'sampleType', 'readFormat', 'bytes'], call: (_r, p) => new (pc.RecordView as unknown as new (a: unknown) => pc.RecordView)(p([{ sampleType: 3 }, ...HOSTILE])).reset(p() as Uint8Array) },
  { name: 'decodeBranchFlags', names: ['flags'], call: (_r, p) => any(pc.decodeBranchFlags)(p()) },
  { name: 'isCallchainContext', names: ['ip'], call: (_r, p) => any(pc.isCallchainContext)(p()) },
  { name: 'parseTracepointFormat', names: ['tracepoint format', 'text'], call: (_r, p) => any(pc.parseTracepointFormat)(p()) },
  { name: 'decodeTracepointRaw', names: ['format', 'raw', 'opts', 'tracepoint'], call: (_r, p) => any(pc.decodeTracepointRaw)(p([{ name: 'x', id: 1, fields: [] }, { fields: [{ name: 'a', offset: p(), size: 4 }] }, ...HOSTILE]), p(), p()) },
  { name: 'readTracepointFormat', names: ['name', 'opts', 'tracefsRoot', 'tracepoint'], call: (_r, p) => any(pc.readTracepointFormat)(p(['sched:sched_switch', ...HOSTILE]), p([{ tracefsRoot: p() }, ...HOSTILE])) },
  { name: 'isErr', names: ['r'], call: (_r, p) => any(pc.isErr)(p()) },
  { name: 'RealKernel', names: ['arch', 'architecture'], call: (_r, p) => new (pc.RealKernel as unknown as new (a: unknown) => unknown)(p(['x64', process.arch, ...HOSTILE])) },
  {
    name: 'RealKernel methods', names: ['fd', 'attr', 'pid', 'cpu', 'group_fd', 'flags', 'buf', 'length', 'request', 'arg', 'argSize', 'cmd', 'prot', 'offset', 'mapping', 'option', 'fds', 'timeout', 'address', 'perf_event_open', 'ioctl', 'read', 'close', 'fcntl', 'mmap', 'munmap', 'prctl', 'poll'],
    call: (r, p) => {
      const k = kernel();
      const fd = (): unknown => p(FD_HOSTILE);
      switch (r.int(8)) {
        case 0: {
          const res = any(k.perfEventOpen.bind(k))(p(), p(FD_HOSTILE), p(FD_HOSTILE), p(FD_HOSTILE), p()) as { fd?: number };
          if (typeof res?.fd === 'number') k.close(res.fd);
          return res;
        }
        case 1: return any(k.read.bind(k))(fd(), p(), p());
        case 2: return any(k.ioctl.bind(k))(fd(), p(), p(), p());
        case 3: return any(k.close.bind(k))(fd());
        case 4: return any(k.fcntl.bind(k))(fd(), p(), p());
        case 5: return any(k.mmap.bind(k))(fd(), p(), p(), p(), p());
        case 6: return any(k.munmap.bind(k))(p());
        default: return any(k.poll.bind(k))(p([[{ fd: fd(), events: p() }], [null], ...HOSTILE]), p(POLL_TIMEOUTS));
      }
    },
  },
  { name: 'diffMaps', names: ['diffMaps', 'a', 'b', 'features', 'kernel', 'environment'], call: (_r, p) => any(pc.diffMaps)(p(), p()) },
  { name: 'withCurrentIds', names: ['map', 'features'], call: (_r, p) => any(pc.withCurrentIds)(p()) },
  { name: 'canonicalFeatureId', names: ['id'], call: (_r, p) => any(pc.canonicalFeatureId)(p()) },
  { name: 'deprecatedIdNote', names: ['id'], call: (_r, p) => any(pc.deprecatedIdNote)(p()) },
  { name: 'isFeatureId', names: ['id'], call: (_r, p) => any(pc.isFeatureId)(p()) },
  { name: 'errnoClass', names: ['errno'], call: (_r, p) => any(pc.errnoClass)(p()) },
  { name: 'statusOfErrno', names: ['errno'], call: (_r, p) => any(pc.statusOfErrno)(p()) },
  // A shim entry point that passes already.
  { name: 'planOpen', names: ['input', 'spec', 'attr'], call: (_r, p) => any(pc.planOpen)(p()) },
];

/** Entry points of src/shim, src/probe and src/events: one test each, `why` says what each once did. */
const UPPER: Array<Target & { why: string }> = [
  { name: 'openEvent', why: 'src/shim: null options (TypeError reading .spec/.kernel), spec.type echoed as [object Object]', names: ['spec', 'opts', 'options', 'event'], call: (_r, p) => closeIt(any(pc.openEvent)(p(['task-clock', { type: p(), config: p() }, ...HOSTILE]), p([{ capabilities: p() }, ...HOSTILE]))) },
  { name: 'EventSet', why: 'src/shim: null options (TypeError reading .kernel), add() of bad specs', names: ['opts', 'options', 'pid', 'add', 'spec', 'event'], call: (_r, p) => closeIt(new (pc.EventSet as unknown as new (a: unknown) => { add(x: unknown): unknown })(p([{ pid: p() }, ...HOSTILE])).add(p())) },
  { name: 'EventSet.accum/read', why: 'src/shim: accum()/read() of a non-Float64Array (TypeError writing into it)', names: ['values', 'out', 'accum', 'read'], call: (r, p) => { const s = new pc.EventSet(); try { s.add('task-clock'); return r.chance(0.5) ? any(s.accum.bind(s))(p()) : any(s.read.bind(s))(p()); } finally { s.close(); } } },
  { name: 'Sampler', why: 'src/shim: spec/options unchecked (TypeError reading .spec/.period), pages 2**30 reported as wakeup_events', names: ['spec', 'options', 'period', 'pages', 'frequency', 'event'], call: (_r, p) => closeIt(new (pc.Sampler as unknown as new (a: unknown, b: unknown) => unknown)(p(['task-clock', ...HOSTILE]), p([{ pages: p(), period: p() }, ...HOSTILE]))) },
  { name: 'RingBuffer', why: 'src/shim: null options destructured (TypeError)', names: ['buffer', 'options', 'pageSize', 'dataPages'], call: (_r, p) => new (pc.RingBuffer as unknown as new (a: unknown, b: unknown) => unknown)(p(), p()) },
  { name: 'shimPathFor', why: 'src/shim: non-string id, map unchecked (TypeError id.startsWith)', names: ['id', 'map'], call: (_r, p) => any(pc.shimPathFor)(p(), p()) },
  { name: 'cyclesToPerfTime', why: 'src/shim: raw BigInt errors that do not name the field', names: ['cycles', 'time', 'timeShift', 'timeMult'], call: (_r, p) => any(pc.cyclesToPerfTime)(p(), p()) },
  { name: 'listEvents', why: 'src/events: listEvents({ pattern: 5 }) TypeError', names: ['opts', 'pattern', 'capabilities'], call: (_r, p) => any(pc.listEvents)(p([{ pattern: p() }, ...HOSTILE])) },
  { name: 'resolveEvent', why: 'src/events: null options (TypeError reading sysfsRoot, wrapped as event "[object Object]")', names: ['name', 'opts', 'event'], call: (_r, p) => any(pc.resolveEvent)(p(), p()) },
  { name: 'parseEventList', why: 'src/events: null options (TypeError reading sysfsRoot, wrapped as event "[object Object]")', names: ['list', 'opts', 'event'], call: (_r, p) => any(pc.parseEventList)(p(), p()) },
  { name: 'feature/supports', why: 'src/probe: non-string id (TypeError id.startsWith), 1 MB id echoed', names: ['id', 'opts', 'feature'], call: (r, p) => (r.chance(0.5) ? any(pc.feature) : any(pc.supports))(p(), p([{ capabilities: pc.getCapabilities() }, ...HOSTILE])) },
  { name: 'readCache/cacheFile', why: 'src/probe: key and dir unchecked (TypeError from fs, BigInt serialisation)', names: ['key', 'dir', 'cache'], call: (r, p) => (r.chance(0.5) ? any(pc.readCache) : any(pc.cacheFile))(p(), p()) },
  { name: 'annotate', why: 'src/probe: entry unchecked (TypeError reading .status)', names: ['entry', 'id', 'release'], call: (_r, p) => any(pc.annotate)(p(), p(), p()) },
  { name: 'classifyRefusal', why: 'src/probe: answers unchecked (TypeError reading .errno)', names: ['answer', 'refusal', 'errno'], call: (_r, p) => any(pc.classifyRefusal)(p()) },
];

function closeIt(x: unknown): unknown {
  if (x !== null && typeof x === 'object' && typeof (x as { close?: unknown }).close === 'function') (x as { close(): void }).close();
  return x;
}


/** What is wrong with a throw, or undefined when it is as the suite requires. */
function problem(t: Target, e: unknown): string | undefined {
  if (!(e instanceof pc.PerfcompatError) && !(e instanceof RangeError)) return `threw ${(e as Error)?.constructor?.name ?? typeof e}: ${String((e as Error)?.message ?? e).slice(0, 160)}`;
  const m = e.message;
  if (m.length >= 300) return `message of ${m.length} characters: ${m.slice(0, 120)}...`;
  if (m.includes('[object Object]')) return `message with [object Object]: ${m}`;
  const words = [t.name.split(/[ ./]/)[0]!, ...t.names];
  if (!words.some((w) => m.toLowerCase().includes(w.toLowerCase()))) return `message names neither the function nor an argument (${words.join(', ')}): ${m}`;
  return undefined;
}

function fuzz(t: Target, seed: bigint): string[] {
  const r = new Prng(seed);
  const pick = (pool: readonly unknown[] = HOSTILE): unknown => r.pick(pool);
  const found = new Map<string, string>();
  for (let i = 0; i < CALLS; i++) {
    try {
      t.call(r, pick);
    } catch (e) {
      const why = problem(t, e);
      if (why !== undefined && !found.has(why)) found.set(why, `${t.name} call ${i}: ${why}`);
    }
  }
  return [...found.values()];
}

describe(`fuzz: the public surface (seed ${SEED}, ${CALLS} calls per entry point)`, function () {
  this.timeout(300_000);

  it(`the abi, sys, model and env entry points (and planOpen): ${TARGETS.length} of them, ${TARGETS.length * CALLS} calls`, () => {
    const before = openFds();
    const problems = TARGETS.flatMap((t, i) => fuzz(t, SEED + BigInt(i)));
    assert.deepEqual(problems, [], problems.join('\n'));
    assert.deepEqual(fdChanges(before), [], 'fds left open by the calls');
  });

  for (const t of UPPER) {
    it(`${t.name} (once: ${t.why})`, () => {
      const before = openFds();
      const problems = fuzz(t, SEED + 1000n);
      assert.deepEqual(problems, [], problems.join('\n'));
      assert.deepEqual(fdChanges(before), [], 'fds left open by the calls');
    });
  }
});
