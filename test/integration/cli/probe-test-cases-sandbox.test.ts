/**
 * `probe test --cases`: user cases are code, so each is loaded and run in a
 * child with a time limit. A case that loops, a module that loops while
 * loading, a FIFO named *.json, and a case that calls process.exit(0) each end
 * as a FAILED line saying why; the CLI never hangs and a case cannot turn an
 * earlier FAILED into exit 0.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ownCache } from '../../helpers/own-cache';

const BIN = resolve(__dirname, '../../../../bin/probe.js');

function probe(...args: string[]): { code: number | null; out: string; err: string } {
  // The outer limit only keeps a regression from hanging the suite; the CLI's own --timeout is what is tested.
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 50_000 });
  assert.equal(r.error, undefined, `probe ${args.join(' ')} did not finish: ${String(r.error)}`);
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const IMPOSSIBLE = {
  name: 'impossible', description: 'task-clock counts more time than passed',
  events: [{ type: 'software', config: 'task_clock' }], work: { spin_ms: 5 }, expect: [{ event: 0, min: '2*wallNs' }],
};

describe('probe test --cases runs each case in a child with a time limit', function () {
  this.timeout(120_000);
  ownCache();
  let dir = '';
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'perfcompat-sandbox-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a case that never returns is FAILED (timeout) and the CLI goes on to the next case', () => {
    writeFileSync(join(dir, 'a-loop.js'), "module.exports = { name: 'loops', description: 'loops forever', run() { for (;;) {} } };\n");
    writeFileSync(join(dir, 'b-ok.json'), JSON.stringify({ name: 'counts', description: 'task-clock counts', events: [{ type: 'software', config: 'task_clock' }], work: { spin_ms: 5 }, expect: [{ event: 0, min: 1 }] }));
    const r = probe('test', '--cases', dir, '--only', 'loops,counts', '--timeout', '2');
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /^\d+: loops forever: FAILED \(case loops timeout: still running after the 2 s limit \(--timeout\), killed\)$/m);
    assert.match(r.out, /^\d+: task-clock counts: (Ok|Skip \(.+\))$/m);
  });

  it('a module that loops while it loads, and a FIFO named *.json, are FAILED with the reason, not a hang', () => {
    writeFileSync(join(dir, 'hang.js'), 'for (;;) {}\n');
    const fifo = spawnSync('mkfifo', [join(dir, 'pipe.json')]);
    assert.equal(fifo.status, 0, String(fifo.stderr));
    const r = probe('test', '--cases', dir, '--only', 'file_hang_js,file_pipe_json', '--timeout', '2');
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /^\d+: cases in hang\.js: FAILED \(loading the file timeout: still running after the 2 s limit/m);
    assert.match(r.out, /^\d+: cases in pipe\.json: FAILED \(.*pipe\.json: not a regular file/m);
  });

  it('process.exit(0) inside a case cannot hide an earlier FAILED: exit 1, and the exiting case is FAILED too', () => {
    writeFileSync(join(dir, 'a-impossible.json'), JSON.stringify(IMPOSSIBLE));
    writeFileSync(join(dir, 'b-exit.js'), "module.exports = { name: 'exits', description: 'exits 0 midway', run() { process.exit(0); } };\n");
    const r = probe('test', '--cases', dir, '--only', 'impossible,exits');
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /^\d+: task-clock counts more time than passed: FAILED/m);
    assert.match(r.out, /^\d+: exits 0 midway: FAILED \(case exits ended \(exited with status 0\) before reporting a result; a case must not call process\.exit\(\)\)$/m);
    const json = probe('test', '--cases', dir, '--only', 'exits', '--json');
    assert.equal(json.code, 1, json.err);
    assert.deepEqual((JSON.parse(json.out) as Array<{ outcome: string }>).map((x) => x.outcome), ['failed']);
  });

  it('a case that crashes its process is FAILED naming the signal', () => {
    writeFileSync(join(dir, 'kill.js'), "module.exports = { name: 'dies', description: 'kills itself', run() { process.kill(process.pid, 'SIGKILL'); } };\n");
    const r = probe('test', '--cases', dir, '--only', 'dies');
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /^\d+: kills itself: FAILED \(case dies ended \(killed by SIGKILL\) before reporting a result\)$/m);
  });

  it('an invalid case is still a usage error naming the file (exit 2), and --help says a case is code that runs', () => {
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    const r = probe('test', '--cases', dir);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /bad\.json: not valid JSON/);
    const help = probe('test', '--help');
    assert.match(help.out, /A case is code that\s+runs as you: a \.js case is a module, a JSON case's\s+work\.exec runs any program/);
    assert.match(help.out, /--timeout S/);
  });
});
