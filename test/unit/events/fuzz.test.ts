/**
 * Property: every string — random, malformed, or a mutation of a valid name —
 * yields resolved events that encode, or a PerfcompatError('ERR_EVENT_NAME')
 * with a bounded message; never another exception, never a hang (the mocha
 * timeout bounds the whole run). Seeded, so a failure reproduces.
 */
import assert from 'node:assert/strict';
import { parseEventList, resolveEvent } from '../../../src/events';
import { encodeAttr } from '../../../src/abi/attr-codec';
import { PerfcompatError } from '../../../src/errors';
import { makeTrees, Trees } from './fake-trees';
import { mulberry32 } from '../../helpers/prng';


const VALID = [
  'cycles', 'cycles:u', 'task-clock', 'cs:ukppp', 'L1-dcache-load-misses', 'iTLB-load-misses:k', 'msr/tsc/',
  'cpu_core/event=0x3c,umask=1/', 'cpu_atom/cycles/:u', 'splitter/lo=0xabc,bit,wide=0x1/', 'power/energy-pkg/',
  'uncore_imc/cas_count_read/', 'sched:sched_switch', 'sched:*', '*:sys_*_read:u', 'mem:0x1000/8:w', 'mem:0x10:x:u',
  'r1a3', '{cycles,instructions}:u', '{task-clock,cs},faults', 'splitter/param,wide=3/', 'msr/tsc,name=x,period=10/',
];
const FRAGMENTS = [
  'cycles', 'msr', 'tsc', '/', '/', ',', ',', '{', '}', ':', ':', 'u', 'k', 'p', 'ppp', 'G', 'H', 'S', '=', '0x', 'ff', '1',
  '18446744073709551616', 'mem', 'mem:', 'sched', 'sched_switch', '*', '?', '[', ']', '!', 'event', 'umask', 'config1', 'config9',
  '?', '-', 'L1-dcache', 'load', 'misses', 'icache', 'store', 'r', '12', ' ', '\n', '\t', 'name=', '"', 'cpu_core', 'cpu_atom',
  'uncore_imc', 'splitter', 'lo', 'wide', 'bit', 'notype', '..', '../', '\0', 'é', '💥', 'period', 'freq', 'no-inherit', 'cpu',
  'instructions', 'task-clock', 'branch', 'dTLB', 'node', 'prefetch', '0', '/8', ':rw', ':x', 'sys_enter_read', 'syscalls',
];
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:/,{}=*?[]!"\' \t\n\\@#$%^&()<>|~`+;\0é💥';

describe('events: 10,000 random and malformed names (seeded property test)', function () {
  let trees: Trees;
  before(() => { trees = makeTrees(); });
  after(() => trees.cleanup());

  it('each yields encodable events or ERR_EVENT_NAME, never another exception', () => {
    const rnd = mulberry32(0x5eed5);
    const int = (n: number): number => Math.floor(rnd() * n);
    const inputs: string[] = [];
    while (inputs.length < 10000) {
      const mode = int(4);
      let s = '';
      if (mode === 0) {
        const len = int(40);
        for (let i = 0; i < len; i++) s += [...ALPHABET][int([...ALPHABET].length)];
      } else if (mode === 1) {
        const n = 1 + int(10);
        for (let i = 0; i < n; i++) s += FRAGMENTS[int(FRAGMENTS.length)];
      } else if (mode === 2) {
        s = VALID[int(VALID.length)]!;
        const edits = 1 + int(3);
        for (let e = 0; e < edits; e++) {
          const at = int(s.length + 1);
          const op = int(3);
          const ch = [...ALPHABET][int([...ALPHABET].length)]!;
          s = op === 0 ? s.slice(0, at) + ch + s.slice(at) : op === 1 ? s.slice(0, at) + s.slice(at + 1) : s.slice(0, at) + ch + s.slice(at + 1);
        }
      } else {
        s = Array.from({ length: 1 + int(5) }, () => VALID[int(VALID.length)]).join(int(2) ? ',' : '');
      }
      inputs.push(s);
    }
    // A few long ones: the parser must stay linear-ish.
    inputs[0] = 'x'.repeat(5000);
    inputs[1] = `{${'cs,'.repeat(3000)}cs}`;
    inputs[2] = `sched:${'*a'.repeat(200)}b`;
    inputs[3] = `msr/${'event=1,'.repeat(2000)}event=1/`;
    inputs[4] = 'cpu_core/' + 'x'.repeat(10000) + '/';

    const opts = { sysfsRoot: trees.hybrid, tracefsRoot: trees.tracefs };
    let resolved = 0;
    let refused = 0;
    for (const input of inputs) {
      for (const fn of [() => parseEventList(input, opts).flat(), () => [resolveEvent(input, opts)]]) {
        let events: ReturnType<typeof fn> | undefined;
        try {
          events = fn();
        } catch (e) {
          if (!(e instanceof PerfcompatError) || e.code !== 'ERR_EVENT_NAME') {
            assert.fail(`input ${JSON.stringify(input.slice(0, 200))} threw ${e instanceof Error ? e.stack : String(e)}`);
          }
          assert.ok(e.message.length > 0 && e.message.length < 4000, `message length ${e.message.length} for ${JSON.stringify(input.slice(0, 80))}`);
          refused++;
          continue;
        }
        for (const ev of events) {
          assert.equal(typeof ev.attr.type, 'number');
          assert.equal(typeof ev.name, 'string');
          assert.doesNotThrow(() => encodeAttr(ev.attr), `attr of ${JSON.stringify(input)} must encode`);
        }
        resolved++;
      }
    }
    // The generator must reach both outcomes in quantity, or the property says little.
    assert.ok(resolved > 1000, `only ${resolved} inputs resolved`);
    assert.ok(refused > 5000, `only ${refused} inputs were refused`);
  });
});
