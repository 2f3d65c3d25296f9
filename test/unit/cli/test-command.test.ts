/**
 * `probe test` output and exit codes for each kind of answer, with the
 * runner stubbed: Ok / FAILED (why) / Skip (why), 1 on a failure, 3 when
 * every check was refused outright.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import * as runner from '../../../src/probe/behaviour-runner';
import '../../../src/root';
import { testCommand } from '../../../src/cli/commands/test';
import { palette } from '../../../src/cli/color';
import type { FeatureEntry } from '../../../src/model/capability-map';

type Line = ReturnType<typeof runner.runBehaviourTests>[number];

function line(number: number, name: string, entry: FeatureEntry): Line {
  return { number, id: `behaviour.${name}`, name, description: `check ${name}`, outcome: runner.outcomeOf(entry.status), entry, source: 'builtin' };
}

async function run(values: Record<string, unknown>, lines: Line[]): Promise<{ code: number; out: string; err: string }> {
  sinon.stub(runner, 'runBehaviourTests').returns(lines);
  let out = '';
  let err = '';
  const io = { out: (s: string) => { out += s; }, err: (s: string) => { err += s; }, width: 80, palette: palette(false), env: {} };
  const code = await testCommand.run({ values: values as never, positionals: [] }, io, []);
  return { code, out, err };
}

describe('probe test command', () => {
  afterEach(() => sinon.restore());

  it('prints N: description: Ok | FAILED (why) | Skip (why) and exits 1 on a failure', async () => {
    const r = await run({}, [
      line(1, 'a', { status: 'supported' }),
      line(2, 'b', { status: 'broken', reason: 'RESET left 5' }),
      line(3, 'c', { status: 'no-hardware', reason: 'open hardware/cpu_cycles: ENOENT' }),
    ]);
    assert.equal(r.code, 1);
    assert.equal(r.out, ' 1: check a: Ok\n 2: check b: FAILED (RESET left 5)\n 3: check c: Skip (open hardware/cpu_cycles: ENOENT)\n');
  });

  it('exits 0 when nothing failed, and shows measured values with -v', async () => {
    const r = await run({ verbose: true }, [line(1, 'a', { status: 'supported', measured: { samples: 3 } }), line(2, 'b', { status: 'untestable' })]);
    assert.equal(r.code, 0);
    assert.match(r.out, / 1: check a: Ok\n {6}samples: 3\n 2: check b: Skip \(untestable\)\n/);
  });

  it('exits 3 and says so when every check was refused outright', async () => {
    const r = await run({}, [line(1, 'a', { status: 'denied', errnoName: 'EACCES' }), line(2, 'b', { status: 'denied', errnoName: 'EACCES' })]);
    assert.equal(r.code, 3);
    assert.match(r.err, /perf_event_open is not usable here.*EACCES/);
  });

  it('gives the entries as JSON with number, id and outcome', async () => {
    const r = await run({ json: true }, [line(4, 'd', { status: 'broken', reason: 'why', measured: { x: 1 } })]);
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.out), [{ number: 4, id: 'behaviour.d', description: 'check d', outcome: 'failed', source: 'builtin', status: 'broken', reason: 'why', measured: { x: 1 } }]);
  });
});
