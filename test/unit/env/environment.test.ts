import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readEnvironment } from '../../../src/env/environment';
import { parseProcStatus } from '../../../src/env/proc-status';
import { readTracepointId } from '../../../src/env/tracefs';

function write(root: string, rel: string, text: string): void {
  const f = path.join(root, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
}

const STATUS = [
  'Name:\tnode', 'Uid:\t1000\t1001\t1000\t1000', 'Gid:\t1000\t1000\t1000\t1000',
  'CapEff:\t000000c000200000', 'Seccomp:\t2', 'Seccomp_filters:\t3', '',
].join('\n');

describe('env/readEnvironment (fake trees)', () => {
  let root: string;
  beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcompat-env-')); });
  afterEach(() => { fs.rmSync(root, { recursive: true, force: true }); });

  it('reads paranoid, effective uid, capabilities, seccomp and boot id from procfs', () => {
    const proc = path.join(root, 'proc');
    write(proc, 'sys/kernel/perf_event_paranoid', '2\n');
    write(proc, 'self/status', STATUS);
    write(proc, 'sys/kernel/random/boot_id', '0f5c3b8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b\n');
    write(proc, 'cpuinfo', 'processor\t: 0\nflags\t\t: fpu vme hypervisor\n');
    const env = readEnvironment({ procRoot: proc, sysfsRoot: path.join(root, 'sys') });
    assert.equal(env.paranoid, 2);
    assert.equal(env.euid, 1001);
    assert.deepEqual(env.capabilities, { effective: '000000c000200000', perfmon: true, sysAdmin: true, bpf: true });
    assert.deepEqual(env.seccomp, { mode: 2, filters: 3 });
    assert.equal(env.bootId, '0f5c3b8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b');
    assert.deepEqual(env.container, ['hypervisor cpu flag']);
    assert.deepEqual(env.pmus, []);
    assert.equal(env.tracefs, null);
  });

  it('reports what it cannot read as null, without throwing', () => {
    const env = readEnvironment({ procRoot: path.join(root, 'none'), sysfsRoot: path.join(root, 'none') });
    assert.equal(env.paranoid, null);
    assert.equal(env.bootId, null);
    assert.deepEqual(env.seccomp, { mode: null, filters: null });
    assert.equal(env.capabilities.perfmon, false);
  });

  it('discovers PMUs: type, format terms, caps, event names without .scale/.unit, cpumask, core flag', () => {
    const sys = path.join(root, 'sys');
    const dev = 'bus/event_source/devices';
    write(sys, `${dev}/cpu/type`, '4\n');
    write(sys, `${dev}/cpu/format/event`, 'config:0-7\n');
    write(sys, `${dev}/cpu/format/umask`, 'config:8-15\n');
    write(sys, `${dev}/cpu/caps/branches`, '32\n');
    write(sys, `${dev}/cpu/events/cycles`, 'event=0x3c\n');
    write(sys, `${dev}/cpu/events/mem-loads`, 'event=0xcd,umask=0x1\n');
    write(sys, `${dev}/cpu/events/mem-loads.unit`, 'ns\n');
    write(sys, `${dev}/cpu/events/mem-loads.scale`, '1\n');
    write(sys, `${dev}/software/type`, '1\n');
    write(sys, `${dev}/uncore_imc_0/type`, '17\n');
    write(sys, `${dev}/uncore_imc_0/cpumask`, '0,28\n');
    write(sys, `${dev}/broken/type`, 'not a number\n');
    write(sys, 'kernel/tracing/events/sched/sched_switch/id', '316\n');
    const env = readEnvironment({ procRoot: path.join(root, 'proc'), sysfsRoot: sys });
    assert.deepEqual(env.pmus.map((p) => p.name), ['cpu', 'software', 'uncore_imc_0']);
    const cpu = env.pmus[0];
    assert.equal(cpu.type, 4);
    assert.deepEqual(cpu.formats, { event: 'config:0-7', umask: 'config:8-15' });
    assert.deepEqual(cpu.caps, { branches: '32' });
    assert.deepEqual(cpu.events, ['cycles', 'mem-loads']);
    assert.equal(cpu.core, true);
    assert.equal(env.pmus[2].cpumask, '0,28');
    assert.equal(env.pmus[2].core, undefined);
    assert.equal(env.tracefs, path.join(sys, 'kernel/tracing'));
    assert.deepEqual(readTracepointId(env.tracefs!, 'sched', 'sched_switch'), { id: 316 });
    assert.equal('id' in readTracepointId(env.tracefs!, 'sched', 'nope'), false);
  });

  it('parses a status file without capabilities or seccomp lines', () => {
    const s = parseProcStatus('Uid:\t0\t0\t0\t0\n');
    assert.equal(s.euid, 0);
    assert.equal(s.perfmon, false);
    assert.equal(s.seccompMode, null);
  });
});
