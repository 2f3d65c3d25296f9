/**
 * The behaviour runner: verdicts become entries, faults never escape, every
 * fd is closed however a check ends, `needs` and `only` select, user cases
 * load from JSON and CommonJS, and ensureBehaviour caches in the map.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { simulate } from '../../sim';
import { runBehaviourTests, runCheck, ensureBehaviour, outcomeOf, behaviourList } from '../../../src/probe/behaviour-runner';
import '../../../src/root';
import { loadCases } from '../../../src/probe/behaviour-cases';
import { PerfcompatError } from '../../../src/errors';
import type { BehaviourCheck } from '../../../src/probe/behaviour-types';
import type { CapabilityMap, FeatureEntry } from '../../../src/model/capability-map';
import { CAPABILITY_SCHEMA } from '../../../src/model/capability-map';

function mapWith(features: CapabilityMap['features']): CapabilityMap {
  const { environment } = simulate('vm-no-pmu');
  return {
    schema: CAPABILITY_SCHEMA, engineVersion: '0.0.0', kernel: { release: 'x', version: 'x', machine: 'x86_64', semver: null },
    environment, features, durationMs: 0, createdAt: new Date(0).toISOString(), source: 'probe',
  };
}

const TASK_CLOCK = { type: 'software', config: 'task_clock' } as const;

describe('behaviour runner', () => {
  afterEach(() => sinon.restore());

  it('maps statuses to Ok / FAILED / Skip', () => {
    assert.equal(outcomeOf('supported'), 'ok');
    assert.equal(outcomeOf('broken'), 'failed');
    assert.equal(outcomeOf('error'), 'failed');
    for (const s of ['unsupported', 'denied', 'no-hardware', 'untestable'] as const) assert.equal(outcomeOf(s), 'skip');
  });

  it('turns a hook that throws into an error entry and still closes its fds', () => {
    const { kernel } = simulate('vm-no-pmu');
    const close = sinon.spy(kernel, 'close');
    const check: BehaviourCheck = {
      name: 'throws', description: 'throws after opening two events',
      run(ctx) {
        ctx.open(TASK_CLOCK);
        ctx.open(TASK_CLOCK);
        throw new Error('boom');
      },
    };
    const e = runCheck(check, kernel);
    assert.equal(e.status, 'error');
    assert.match(e.reason ?? '', /boom/);
    assert.equal(close.callCount, 2);
  });

  it('classifies an errno that aborts a check: EMFILE is an error, ENOENT a Skip', () => {
    const { kernel } = simulate('vm-no-pmu');
    sinon.stub(kernel, 'perfEventOpen').returns({ errno: 24 });
    const e = runCheck({ name: 'x', description: 'x', events: [TASK_CLOCK] }, kernel);
    assert.equal(e.status, 'error');
    assert.equal(e.errnoName, 'EMFILE');
    const hw = runCheck({ name: 'y', description: 'y', events: [{ type: 'hardware', config: 'cpu_cycles' }] }, simulate('vm-no-pmu').kernel);
    assert.equal(hw.status, 'no-hardware');
    assert.equal(hw.errnoName, 'ENOENT');
  });

  it('runs a data-only declaration: bounds over the work are judged', () => {
    const { kernel } = simulate('vm-no-pmu');
    const ok = runCheck({ name: 'clock', description: 'd', events: [TASK_CLOCK], work: { spin_ms: 10 }, expect: [{ event: 0, min: '0.5*wallNs', max: 'wallNs' }] }, kernel);
    assert.equal(ok.status, 'supported', ok.reason);
    assert.ok(Number(ok.measured?.['software/task_clock']) >= 5e6);
    const bad = runCheck({ name: 'clock', description: 'd', events: [TASK_CLOCK], work: { spin_ms: 10 }, expect: [{ event: 0, min: '2*wallNs' }] }, kernel);
    assert.equal(bad.status, 'broken');
    assert.match(bad.reason ?? '', /software\/task_clock = \d+, expected >= \d+ \(2\*wallNs\)/);
    const typo = runCheck({ name: 'clock', description: 'd', events: [TASK_CLOCK], expect: [{ event: 0, min: 'walNs' }] }, kernel);
    assert.equal(typo.status, 'error');
    assert.match(typo.reason ?? '', /walNs.*wallNs, cpuNs, pages, children/);
  });

  it('skips a check whose needs the map says are absent, without opening anything', () => {
    const { kernel } = simulate('vm-no-pmu');
    const open = sinon.spy(kernel, 'perfEventOpen');
    const map = mapWith({ 'access.kernel': { status: 'denied', errnoName: 'EACCES' } });
    const e = runCheck({ name: 'k', description: 'k', needs: ['access.kernel'], events: [TASK_CLOCK] }, kernel, map);
    assert.equal(e.status, 'denied');
    assert.match(e.reason ?? '', /needs access\.kernel, which is denied/);
    assert.equal(open.callCount, 0);
  });

  it('selects by number, name or id and refuses an unknown one naming the valid ones', () => {
    const { kernel } = simulate('vm-no-pmu');
    const r = runBehaviourTests({ kernel, only: ['1', 'behaviour.ioctl_id', 'ioctl_reset'] });
    assert.deepEqual(r.map((x) => x.name), ['counter_counts', 'ioctl_reset', 'ioctl_id']);
    assert.equal(r[0]!.number, 1);
    assert.throws(() => runBehaviourTests({ kernel, only: ['nope'] }), (e: unknown) => e instanceof PerfcompatError && /--only nope.*counter_counts/.test(e.message));
  });

  it('ensureBehaviour answers from the map when it can, else runs the check and stores its answer (in its store, not the map)', () => {
    const { kernel } = simulate('vm-no-pmu');
    const open = sinon.spy(kernel, 'perfEventOpen');
    const map = mapWith({ 'behaviour.group_read': { status: 'broken', reason: 'cached' } });
    assert.equal(ensureBehaviour('behaviour.group_read', { kernel, capabilities: map }).reason, 'cached');
    assert.equal(open.callCount, 0);
    const kept = new Map<string, FeatureEntry>();
    const store = { get: (id: string) => kept.get(id), set: (id: string, e: FeatureEntry) => void kept.set(id, e) };
    const e = ensureBehaviour('behaviour.ioctl_reset', { kernel, capabilities: map, store });
    assert.equal(e.status, 'supported');
    assert.equal(kept.get('behaviour.ioctl_reset'), e);
    assert.equal(map.features['behaviour.ioctl_reset'], undefined);
    const calls = open.callCount;
    assert.equal(ensureBehaviour('behaviour.ioctl_reset', { kernel, capabilities: map, store }), e);
    assert.equal(open.callCount, calls);
    assert.throws(() => ensureBehaviour('behaviour.nope', { kernel }), /no such check/);
  });

  it('never caches an error of the moment in the map', () => {
    const { kernel } = simulate('vm-no-pmu');
    sinon.stub(kernel, 'perfEventOpen').returns({ errno: 24 });
    const map = mapWith({});
    assert.equal(ensureBehaviour('behaviour.ioctl_reset', { kernel, capabilities: map }).status, 'error');
    assert.equal(map.features['behaviour.ioctl_reset'], undefined);
  });
});

describe('behaviour cases from a directory', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'perfcompat-cases-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads JSON declarations and CommonJS modules with hooks, in file-name order, after the built-ins', () => {
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ name: 'json_case', description: 'from JSON', events: [TASK_CLOCK], work: { spin_ms: 1 }, expect: [{ event: 0, min: 1 }] }));
    writeFileSync(join(dir, 'a.js'), "module.exports = [{ name: 'js_case', description: 'from JS', run(ctx) { return ctx.ok({ hook: true }); } }];");
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const { kernel } = simulate('vm-no-pmu');
    const results = runBehaviourTests({ kernel, cases: dir, only: ['js_case', 'json_case'] });
    assert.deepEqual(results.map((r) => [r.name, r.outcome]), [['js_case', 'ok'], ['json_case', 'ok']]);
    assert.equal(results[0]!.entry.measured?.hook, true);
    assert.equal(results[0]!.source, join(dir, 'a.js'));
    assert.equal(results[0]!.number, behaviourList().length + 1);
  });

  it('refuses a malformed case naming the file and what is valid', () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ name: 'Bad-Name', description: 'x', events: [TASK_CLOCK] }));
    assert.throws(() => loadCases(dir), (e: unknown) => e instanceof PerfcompatError && e.message.includes('bad.json') && /lower-case letters, digits and _/.test(e.message));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ name: 'no_events', description: 'x' }));
    assert.throws(() => loadCases(dir), /needs a non-empty events array/);
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    assert.throws(() => loadCases(dir), /not valid JSON/);
    assert.throws(() => loadCases(join(dir, 'missing')), /not a readable directory/);
  });

  it('refuses a case that reuses a built-in name', () => {
    writeFileSync(join(dir, 'dup.json'), JSON.stringify({ name: 'group_read', description: 'x', events: [TASK_CLOCK] }));
    assert.throws(() => behaviourList({ cases: dir }), /"group_read".*already used by builtin/);
  });
});
