/**
 * The built CLI on this kernel: `probe`, `probe --json` (validated against
 * the shipped schema), explain, diff between real dumps, list and stat.
 * Nothing here assumes a hardware PMU is present or absent.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { CapabilityMap } from '../../../src/model/capability-map';
import { ANSI, maxWidth, oneLine, ROOT, runCli } from '../../unit/cli/run-cli';
import { ownCache } from '../../helpers/own-cache';
import { tracefsHere, tracefsUnusableAnswer } from '../../helpers/tracefs-answer';

describe('probe CLI on this kernel', () => {
  ownCache(); // what other suites cached must not change what these tests see
  let dir: string;
  let dump: string;
  let map: CapabilityMap;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'perfcompat-cli-int-'));
    const r = runCli(['--json']);
    assert.equal(r.status, 0, r.stderr);
    dump = join(dir, 'here.json');
    writeFileSync(dump, r.stdout);
    map = JSON.parse(r.stdout) as CapabilityMap;
  });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  it('--json is the CapabilityMap alone, valid against schema/capabilities.schema.json', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'capabilities.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true, validateFormats: false }).compile(schema);
    assert.ok(validate(map), JSON.stringify(validate.errors, null, 1));
    assert.equal(map.kernel.release, release());
    assert.ok(Object.keys(map.features).length > 100);
    // A fresh probe is valid too, and says it was not from the cache.
    const fresh = runCli(['--json', '--refresh']);
    assert.equal(fresh.status, 0, fresh.stderr);
    const freshMap = JSON.parse(fresh.stdout) as CapabilityMap;
    assert.ok(validate(freshMap), JSON.stringify(validate.errors, null, 1));
    assert.equal(freshMap.source, 'probe');
  });

  it('`probe` reports this kernel within 80 columns, without colour off a TTY', () => {
    const r = runCli([], { env: { NO_COLOR: undefined } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.ok(maxWidth(r.stdout) <= 80, `widest line ${maxWidth(r.stdout)}`);
    assert.ok(!ANSI.test(r.stdout));
    assert.ok(r.stdout.includes(release()));
    assert.match(r.stdout, new RegExp(`paranoid ${map.environment.paranoid ?? 'unreadable'}`));
    assert.match(r.stdout, /\d+ supported( · \d+ [a-z-]+)* · /);
    assert.match(r.stdout, /(from cache \(probed .* in \d+ ms\))|(probed in \d+ ms, not from cache)/);
    const all = runCli(['--all']);
    assert.ok(maxWidth(all.stdout) <= 80);
    assert.ok(all.stdout.split('\n').length > Object.keys(map.features).length / 2, '--all lists every feature');
  });

  it('NO_COLOR is honoured even with --color', () => {
    assert.ok(ANSI.test(runCli(['--color'], { env: { NO_COLOR: undefined } }).stdout));
    assert.ok(!ANSI.test(runCli(['--color'], { env: { NO_COLOR: '1' } }).stdout));
  });

  it('--only read_format.* shows that kind only', () => {
    const r = runCli(['--only', 'read_format.*', '--all']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /read_format\.\*/);
    assert.match(r.stdout, /^\s+lost\s+\S+/m);
    assert.ok(!/^attr\.\*/m.test(r.stdout));
  });

  it('explain read_format.lost gives the ABI line, mainline, this kernel\'s answer and the shim path', () => {
    const r = runCli(['explain', 'read_format.lost']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^read_format\.lost — PERF_FORMAT_LOST: /);
    assert.match(r.stdout, /mainline\s+6\.0/);
    const status = map.features['read_format.lost']?.status ?? 'absent';
    assert.match(r.stdout, new RegExp(`here\\s+${release().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${status}`));
    assert.match(r.stdout, /\n {2}shim\s+\S/);
  });

  it('diff of this kernel against its own dump finds no loss; a dump with a feature dropped does', () => {
    const same = runCli(['diff', dump]);
    assert.equal(same.status, 0, same.stdout + same.stderr);
    const supported = Object.keys(map.features).find((id) => map.features[id]?.status === 'supported') as string;
    const edited = JSON.parse(JSON.stringify(map)) as CapabilityMap;
    delete edited.features[supported];
    const editedFile = join(dir, 'edited.json');
    writeFileSync(editedFile, JSON.stringify(edited));
    const lost = runCli(['diff', dump, editedFile]);
    assert.equal(lost.status, 1);
    assert.match(lost.stdout, new RegExp(`lost \\(1\\)\\n\\s+${supported.replace(/\./g, '\\.')}\\s+supported( =\\S+)? → absent`));
    const gained = runCli(['diff', editedFile]);
    assert.equal(gained.status, 0, gained.stderr);
    assert.ok(gained.stdout.includes(supported));
  });

  it('list shows the software events that open here, and a tracepoint by pattern', () => {
    const r = runCli(['list']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^task-clock\s+software\s+software\s+supported/m);
    assert.ok(maxWidth(r.stdout) <= 80);
    const tp = runCli(['list', 'sched:sched_switch']);
    const tracefs = tracefsHere();
    if (tracefs.ok) {
      assert.equal(tp.status, 0, tp.stderr);
      assert.match(tp.stdout, /^sched:sched_switch\s+tracepoint\s+tracepoint\s+(supported|denied)/m);
    } else {
      assert.equal(tp.status, 2, tp.stdout + tp.stderr);
      assert.match(oneLine(tp.stderr), tracefsUnusableAnswer(tracefs));
    }
    const json = JSON.parse(runCli(['list', 'task-clock', '--json']).stdout) as Array<{ name: string; pmu: string; status?: string }>;
    assert.deepEqual(json.find((e) => e.name === 'task-clock'), { name: 'task-clock', pmu: 'software', kind: 'software', status: 'supported' });
    const none = runCli(['list', 'zzzz-no-such-event']);
    assert.equal(none.status, 2);
    assert.match(oneLine(none.stderr), /no event matches 'zzzz-no-such-event'/);
  });

  it("list shows perf's aliases, finds an event by one, counts in the singular, and says why --all lists no-hardware events", () => {
    const r = runCli(['list']);
    assert.match(r.stdout, /^context-switches OR cs\s+software/m);
    assert.match(r.stdout, /^page-faults OR faults\s+software/m);
    // The count line agrees with the rows, singular for one: 'cs' also matches
    // tracepoints (csd:*) where tracefs is mounted, 'context-switches' only itself.
    const counted = (out: string): void => {
      const rows = out.split('\n\n')[0]!.split('\n').slice(1).filter((l) => l.trim() !== '').length;
      assert.match(out, new RegExp(`^${rows} ${rows === 1 ? 'event' : 'events'}$`, 'm'));
    };
    const byAlias = runCli(['list', 'cs']);
    assert.equal(byAlias.status, 0, byAlias.stderr);
    assert.match(byAlias.stdout, /^context-switches OR cs\s/m);
    counted(byAlias.stdout);
    const one = runCli(['list', 'context-switches']);
    assert.equal(one.status, 0, one.stderr);
    counted(one.stdout);
    assert.match(one.stdout, /^1 event$/m);
    const all = runCli(['list', '--all']);
    const noHw = all.stdout.split('\n').filter((l) => /\shardware\s+no-hardware/.test(l)).length;
    if (noHw > 0) assert.match(all.stdout.replace(/\n/g, ' '), new RegExp(`${noHw} hardware events? (is|are) listed as no-hardware: (no PMU here|th)`));
  });

  it("list 'sched:*' lists the sched tracepoints where tracefs is usable, and says why not and how to mount it where not", () => {
    const r = runCli(['list', 'sched:*']);
    const tracefs = tracefsHere();
    if (tracefs.ok) {
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^sched:sched_switch\s+tracepoint\s+tracepoint\s+(supported|denied)/m);
      return;
    }
    assert.equal(r.status, 2, r.stdout + r.stderr);
    const line = oneLine(r.stderr);
    assert.match(line, tracefsUnusableAnswer(tracefs));
    assert.doesNotMatch(line, /no event matches/);
    // The same answer as stat -e gives for a tracepoint.
    const stat = runCli(['stat', '-e', 'sched:sched_switch', '--', 'true']);
    assert.equal(stat.status, 2);
    assert.equal(oneLine(stat.stderr).replace('sched:sched_switch', 'sched:*'), line);
  });

  it('stat counts a command, passes its exit status through, and names stand-ins', () => {
    const r = runCli(['stat', '--', 'sh', '-c', 'i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; exit 5']);
    assert.equal(r.status, 5, r.stderr);
    assert.match(r.stderr, /Performance counter stats for 'sh -c /);
    assert.match(r.stderr, /^\s+[\d.]+ msec\s+task-clock/m);
    assert.match(r.stderr, /^\s+[\d,]+\s+page-faults/m);
    const cycles = map.features['event.hardware.cpu_cycles']?.status;
    if (cycles === 'supported') assert.match(r.stderr, /^\s+[\d,]+\s+cycles/m);
    else assert.match(r.stderr, /stand-in for cycles[\s\S]*Adaptations/);
  });

  it('stat with an unknown event is a usage error naming it', () => {
    const r = runCli(['stat', '-e', 'no-such-event-xyz', '--', 'true']);
    assert.equal(r.status, 2);
    assert.match(oneLine(r.stderr), /no-such-event-xyz/);
  });
});
