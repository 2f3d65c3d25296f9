/**
 * The group re-enable bug on this kernel (issue 15, "counts that go silently
 * wrong"): a software member of a software leader on the other PMU
 * (task-clock under cpu-clock), toggled with PERF_IOC_FLAG_GROUP round after
 * round, under-counts on kernels whose perf_event_for_each enable
 * reschedules only the leader's PMU context. What this kernel does is
 * measured here with raw syscalls; behaviour.ioctl_flag_group must say the
 * same, and EventSet (which toggles leaders alone) must count every member
 * at least 90% of the thread's CPU time in the work (and no more than 110%
 * of the windows' wall time), over 200 start/stop rounds. With the EventSet of before (FLAG_GROUP enable/disable) the member
 * read ~7% of the work here (6.18).
 */
import assert from 'node:assert/strict';
import { encodeAttr, PERF_FORMAT, PERF_TYPE, SW_EVENTS, perfIoctlTable, archAbi, PERF_IOC_FLAG_GROUP } from '../../../src/abi';
import { isErr } from '../../../src/sys/kernel';
import { realKernel } from '../../../src/sys';
import { EventSet } from '../../../src/shim';
import { runBehaviourTests } from '../../../src/probe/behaviour-runner';
import '../../../src/root';
import { assertClockCount, wallNs } from '../../helpers/clock-count';

const k = realKernel();
const ROUNDS = 200;
const SPIN_NS = 300_000n;
const swConfig = (name: string): number => SW_EVENTS.find((e) => e.name === name)!.value;

function spin(ns: bigint): number {
  const t0 = k.threadCpuNs!();
  let t = t0;
  while (t - t0 < ns) t = k.threadCpuNs!();
  return Number(t - t0);
}

/** 200 rounds of RESET|ENABLE|FLAG_GROUP → spin → DISABLE|FLAG_GROUP on cpu-clock + task-clock: the member's share of the work. */
function rawMemberShare(): number | undefined {
  const ioc = perfIoctlTable(archAbi(k.arch));
  const fmt = PERF_FORMAT.GROUP | PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING;
  const l = k.perfEventOpen(encodeAttr({ type: PERF_TYPE.SOFTWARE, config: swConfig('cpu_clock'), read_format: fmt, disabled: 1 }), 0, -1, -1, 0);
  if (isErr(l)) return undefined;
  const m = k.perfEventOpen(encodeAttr({ type: PERF_TYPE.SOFTWARE, config: swConfig('task_clock'), read_format: fmt, disabled: 0 }), 0, -1, l.fd, 0);
  if (isErr(m)) { k.close(l.fd); return undefined; }
  const buf = new Uint8Array(40);
  const dv = new DataView(buf.buffer);
  let work = 0;
  let member = 0;
  for (let i = 0; i < ROUNDS; i++) {
    k.ioctl(l.fd, ioc.reset!, PERF_IOC_FLAG_GROUP);
    k.ioctl(l.fd, ioc.enable!, PERF_IOC_FLAG_GROUP);
    work += spin(SPIN_NS);
    k.ioctl(l.fd, ioc.disable!, PERF_IOC_FLAG_GROUP);
    k.read(l.fd, buf);
    member += Number(dv.getBigUint64(32, true)); // nr, enabled, running, value0, value1
  }
  k.close(m.fd);
  k.close(l.fd);
  return member / work;
}

describe('group re-enable on this kernel (PERF_IOC_FLAG_GROUP, software members of another PMU)', function () {
  this.timeout(120_000);

  it('behaviour.ioctl_flag_group fails exactly where raw FLAG_GROUP rounds under-count a member', function () {
    const share = rawMemberShare();
    if (share === undefined) this.skip();
    const brokenHere = share! < 0.8;
    const [r] = runBehaviourTests({ only: ['ioctl_flag_group'] });
    console.log(`      raw FLAG_GROUP rounds: task-clock member counted ${(share! * 100).toFixed(1)}% of the work; check: ${r?.outcome}`);
    assert.equal(r?.outcome, brokenHere ? 'failed' : 'ok', `${r?.entry.reason ?? ''} ${JSON.stringify(r?.entry.measured)}`);
    if (brokenHere) {
      assert.equal(r?.entry.measured?.reenableOnly, 1, 'the first enable/disable/reset reach the members; only re-enabling fails');
      assert.match(r?.entry.reason ?? '', /toggle the leader alone/);
    }
  });

  it('EventSet counts every member between the thread CPU time in the work and the windows\' wall time over 200 start/stop rounds', () => {
    for (const names of [['cpu-clock', 'task-clock'], ['task-clock', 'cpu-clock']]) {
      const set = new EventSet();
      try {
        for (const n of names) set.add(n);
        assert.equal(set.groups.length, 1, 'one group');
        let work = 0;
        let wall = 0;
        const sums = names.map(() => 0);
        for (let i = 0; i < ROUNDS; i++) {
          const w = wallNs(() => {
            set.start();
            work += spin(SPIN_NS);
            return set.stop();
          });
          wall += w.ns;
          names.forEach((_n, j) => { sums[j]! += w.value[j]!; });
        }
        names.forEach((n, j) => assertClockCount(sums[j]!, work, wall, `${names.join('+')}: ${n}`));
      } finally { set.close(); }
    }
  });
});
