import assert from 'node:assert/strict';
import { ABI_FEATURES } from '../../../src/abi/features';
import { catalogue } from '../../../probes';
import { getCapabilities } from '../../../src/probe/capabilities';
import '../../../src/root';
import type { ProbeDeclaration } from '../../../src/probe/declaration';
import type { FeatureId } from '../../../src/model/feature-id';
import { ProbeRun } from '../../../src/probe/engine';
import { PerfcompatError } from '../../../src/errors';
import { isErr } from '../../../src/sys/kernel';
import { E } from './stub-kernel';
import { fakeEnv, kernel618, UNAME } from './fixtures';

function probe(kernel = kernel618(), decls?: ProbeDeclaration[]) {
  const environment = fakeEnv();
  return getCapabilities({ kernel, environment, uname: UNAME, cache: false, ...(decls ? { catalogue: decls } : {}) });
}

describe('probe/engine', () => {
  it('answers every ABI feature id and closes every fd it opened', () => {
    const k = kernel618();
    const map = probe(k);
    for (const f of ABI_FEATURES) assert.ok(map.features[f.id], `no entry for ${f.id}`);
    assert.equal(k.open.size, 0, `fds left open: ${[...k.open].join(', ')}`);
    assert.equal(map.features['attr.size'].value, 136);
    assert.equal(map.source, 'probe');
  });

  it('tells unknown bits from known bits this machine cannot exercise', () => {
    const map = probe();
    assert.equal(map.features['attr.defer_callchain'].status, 'unsupported');
    assert.equal(map.features['attr.config4'].status, 'unsupported');
    assert.match(map.features['attr.config4'].reason ?? '', /beyond attr size 136/);
    for (const id of ['attr.aux_pause', 'attr.aux_resume', 'attr.aux_start_paused', 'attr.aux_output', 'sample_type.branch_stack', 'branch_sample_type.user']) {
      const e = map.features[id];
      assert.notEqual(e.status, 'unsupported', id);
      assert.ok(e.inferredFrom, `${id} says what it was inferred from`);
    }
    assert.equal(map.features['event.hardware.cpu_cycles'].status, 'no-hardware');
    assert.equal(map.features['event.software.cgroup_switches'].status, 'supported');
  });

  it('annotates mainline versions and anomalies from the release', () => {
    const k = kernel618();
    const map = getCapabilities({ kernel: k, environment: fakeEnv(), uname: { ...UNAME, release: '5.10.0-32-cloud-amd64' }, cache: false });
    assert.equal(map.kernel.semver, '5.10.0');
    assert.equal(map.features['attr.sigtrap'].mainline, '5.13');
    assert.equal(map.features['attr.sigtrap'].anomaly, 'backported');
    assert.equal(map.features['attr.inherit'].anomaly, undefined);
  });

  it('closes every fd when a probe throws midway, records error and goes on', () => {
    const k = kernel618();
    const throwing: ProbeDeclaration = {
      // Not a family of the map: the engine runs whatever it is handed.
      id: 'test.throws' as FeatureId, description: 'a probe that throws midway', base: 'counting',
      hook: (ctx) => {
        const a = ctx.open({ type: 1, config: 0, disabled: 1 });
        const b = ctx.open({ type: 1, config: 0, disabled: 1 });
        assert.ok(!isErr(a) && !isErr(b));
        throw new Error('injected');
      },
    };
    const decls = [...catalogue(fakeEnv()).slice(0, 5), throwing, ...catalogue(fakeEnv()).slice(5, 12)];
    const map = probe(k, decls);
    assert.equal(map.features['test.throws'].status, 'error');
    assert.match(map.features['test.throws'].reason ?? '', /injected/);
    assert.equal(Object.keys(map.features).length, 13);
    assert.equal(k.open.size, 0);
  });

  it('retries EINTR and EAGAIN, then reports error', () => {
    let interrupts = 2;
    const flaky = kernel618((c) => (c.attr.inherit === 1 && interrupts-- > 0 ? { errno: E.EINTR } : undefined));
    assert.equal(probe(flaky).features['attr.inherit'].status, 'supported');
    const stuck = kernel618((c) => (c.attr.inherit === 1 ? { errno: E.EAGAIN } : undefined));
    const e = probe(stuck).features['attr.inherit'];
    assert.equal(e.status, 'error');
    assert.equal(e.errnoName, 'EAGAIN');
  });

  it('reports error, never untestable or unsupported, when fds run out after the start', () => {
    let left = 3;
    const k = kernel618(() => (left-- > 0 ? undefined : { errno: E.EMFILE }));
    const map = probe(k);
    // Two probes need no fd here: no tracefs and no AUX PMU in the fixture.
    const noKernel = new Set(['event.tracepoint', 'combo.aux_output']);
    const notError = Object.entries(map.features).filter(([id, e]) => e.status !== 'error' && !noKernel.has(id)).map(([id, e]) => `${id}: ${e.status}`);
    assert.deepEqual(notError, []);
    assert.equal(k.open.size, 0);
  });

  it('marks a feature untestable when what it needs is not supported', () => {
    const k = kernel618((c) => (c.attr.remove_on_exec === 1 ? { errno: E.EACCES } : undefined));
    const map = probe(k);
    assert.equal(map.features['attr.remove_on_exec'].status, 'denied');
    assert.equal(map.features['attr.sigtrap'].status, 'untestable');
    assert.deepEqual(map.features['attr.sigtrap'].needs, ['attr.remove_on_exec']);
  });

  it('measures attr.size without a write-back from E2BIG', () => {
    const k = kernel618((c, bytes) => (c.size > 136 && bytes.subarray(136, c.size).some((b) => b !== 0) ? { errno: E.E2BIG } : undefined));
    assert.equal(probe(k).features['attr.size'].value, 136);
  });

  it('measures attr.size from the size the kernel writes back with E2BIG', () => {
    const e = probe(kernel618()).features['attr.size'];
    assert.equal(e.value, 136);
    assert.match(e.reason ?? '', /E2BIG wrote back 136/);
  });

  it('answers a refused base for hooks once: withBase and withOpened, with the answer\'s base and reason as asked', () => {
    const k = kernel618();
    let ran = 0;
    const decls: ProbeDeclaration[] = [
      {
        id: 'combo.test_group', description: 'a group on the hardware base', base: 'hardware',
        hook: (ctx) => ctx.withBase('hardware', () => { ran++; return { status: 'supported' }; }, { answerBase: 'the whole group' }),
      },
      {
        id: 'combo.test_leader', description: 'a leader the hook opens', base: 'none',
        hook: (ctx) => ctx.withOpened({ type: 0, config: 0, disabled: 1 }, 'cpu/leader/', () => { ran++; return { status: 'supported' }; }, { reason: (en) => `the leader does not open (${en})` }),
      },
      {
        id: 'combo.test_soft', description: 'a hook whose base opens', base: 'counting',
        hook: (ctx) => ctx.withOpened({ type: 1, config: 0, disabled: 1 }, 'software/cpu-clock', (fd) => ({ status: 'supported', value: fd >= 0 })),
      },
    ];
    const run = new ProbeRun(k, fakeEnv(), decls);
    const hw = probe(kernel618()).features['event.hardware.cpu_cycles'];
    const group = run.entry('combo.test_group');
    const leader = run.entry('combo.test_leader');
    assert.equal(run.entry('combo.test_soft').value, true);
    run.dispose();
    assert.equal(ran, 0);
    assert.equal(group.status, hw.status);
    assert.equal(group.errnoName, hw.errnoName);
    assert.equal(group.base, 'the whole group');
    assert.match(group.reason ?? '', /^the base event hardware\/cpu-cycles does not open here/);
    assert.equal(leader.status, hw.status);
    assert.equal(leader.base, 'cpu/leader/');
    assert.equal(leader.reason, `the leader does not open (${hw.errnoName})`);
    assert.equal(k.open.size, 0);
  });

  it('runs declarations in dependency order: attr.size first, needs before the feature', () => {
    const k = kernel618();
    const run = new ProbeRun(k, fakeEnv(), catalogue(fakeEnv()));
    run.entry('attr.sigtrap');
    assert.deepEqual([...run.results().keys()], ['attr.size', 'attr.remove_on_exec', 'attr.sigtrap']);
    run.dispose();
    assert.equal(k.open.size, 0);
  });

  it('throws one ERR_PERF_UNAVAILABLE naming seccomp when every open is EPERM under a filter', () => {
    const k = kernel618(() => ({ errno: E.EPERM }));
    assert.throws(
      () => getCapabilities({ kernel: k, environment: fakeEnv({ seccomp: { mode: 2, filters: 1 } }), uname: UNAME, cache: false }),
      (err: unknown) => err instanceof PerfcompatError && err.code === 'ERR_PERF_UNAVAILABLE' && /seccomp/.test(err.message) && err.errnoName === 'EPERM',
    );
  });

  it('names the paranoid level when every open is EACCES', () => {
    const k = kernel618(() => ({ errno: E.EACCES }));
    assert.throws(
      () => getCapabilities({ kernel: k, environment: fakeEnv({ paranoid: 3 }), uname: UNAME, cache: false }),
      (err: unknown) => err instanceof PerfcompatError && err.code === 'ERR_PERF_UNAVAILABLE' && /perf_event_paranoid is 3/.test(err.message),
    );
  });

  it('names a kernel without perf events on ENOSYS', () => {
    const k = kernel618(() => ({ errno: E.ENOSYS }));
    assert.throws(
      () => getCapabilities({ kernel: k, environment: fakeEnv(), uname: UNAME, cache: false }),
      (err: unknown) => err instanceof PerfcompatError && err.code === 'ERR_PERF_UNAVAILABLE' && /CONFIG_PERF_EVENTS/.test(err.message),
    );
  });
});
