/**
 * The qemu arm64 PMUv3 persona (test/sim/personas/qemu-arm64-pmuv3.ts)
 * answers as the kernel-matrix guest did and as drivers/perf/arm_pmu{,v3}.c
 * say; the engine, the shim and the behaviour checks are run on it. Every
 * expected number comes from the persona's own PMU description (its counters,
 * its cycle counter, its event list), never typed twice.
 */
import assert from 'node:assert/strict';
import { encodeAttr, AttrInput, ERRNO, HW_EVENTS, PERF_TYPE, PERF_FORMAT, PERF_RECORD_MISC, MMAP_PAGE, MMAP_CAPABILITIES, MAP_SHARED, PROT_READ, PROT_WRITE, decodeRead, readSize, perfIoctl, archAbi } from '../../../src/abi';
import { isErr, OpenResult } from '../../../src/sys/kernel';
import { getCapabilities } from '../../../src/root';
import { EventSet } from '../../../src/shim';
import { Sampler } from '../../../src/shim/sampler';
import { runBehaviourTests } from '../../../src/probe/behaviour-runner';
import { simulate, SimKernel, PersonaPmu } from '../../sim';

const NAME = 'qemu-arm64-pmuv3';
const MANUAL = { clock: 'manual' as const };
const TIMES = PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING;
const CAP_RDPMC = MMAP_CAPABILITIES.find((c) => c.name === 'cap_user_rdpmc')!.bit;

function pmuOf(k: SimKernel): PersonaPmu {
  assert.ok(k.persona.pmu, 'the persona has a PMU');
  return k.persona.pmu;
}
const hwValue = (name: string): number => HW_EVENTS.find((e) => e.name === name)!.value;
/** Events the PMU may only put on its general counters (not cycles). */
function generalOnly(pmu: PersonaPmu): string {
  const e = (pmu.hardwareEvents ?? []).find((n) => !(pmu.dedicated ?? []).some((c) => c.events.includes(n)));
  assert.ok(e, 'the PMU implements an event besides cycles');
  return e;
}
const cycleCounters = (pmu: PersonaPmu): number => (pmu.dedicated ?? []).reduce((s, c) => s + c.counters, 0);

function open(k: SimKernel, attr: AttrInput, o: { pid?: number; cpu?: number; group?: number } = {}): OpenResult {
  return k.perfEventOpen(encodeAttr(attr, { size: k.persona.attrSize }), o.pid ?? 0, o.cpu ?? -1, o.group ?? -1, 0);
}
function fdOf(r: OpenResult): number {
  assert.ok('fd' in r, `expected an fd, got ${JSON.stringify(r)}`);
  return r.fd;
}
function hw(name: string, extra: AttrInput = {}): AttrInput {
  return { type: PERF_TYPE.HARDWARE, config: hwValue(name), exclude_kernel: 1, exclude_hv: 1, read_format: TIMES, ...extra };
}
function times(k: SimKernel, fd: number, fmt = TIMES, members = 1): ReturnType<typeof decodeRead> {
  const buf = Buffer.alloc(readSize(fmt, members));
  const r = k.read(fd, buf);
  assert.ok('bytes' in r && r.bytes > 0, `read: ${JSON.stringify(r)}`);
  return decodeRead(buf, fmt, r.bytes);
}
function closeAll(k: SimKernel): void {
  for (const fd of k.openFds()) k.close(fd);
}

/** A group of n events (leader opened disabled, members enabled, as the probes do); the leader's times after work. */
function runGroup(k: SimKernel, n: number, name: string): { opened: number; running: bigint; enabled: bigint } {
  const fmt = TIMES | PERF_FORMAT.GROUP;
  const leader = fdOf(open(k, hw(name, { disabled: 1, read_format: fmt })));
  let opened = 1;
  for (let i = 1; i < n; i++) if ('fd' in open(k, hw(name, { read_format: fmt }), { group: leader })) opened++;
  k.ioctl(leader, perfIoctl('enable', archAbi(k.arch)), 1);
  k.work(1_000_000);
  const r = times(k, leader, fmt, opened);
  closeAll(k);
  return { opened, running: r.timeRunning!, enabled: r.timeEnabled! };
}

describe(`${NAME}: the persona answers as the arm64 guest and the arm PMU driver`, () => {
  it('has the PMU the guest registered: sysfs name, type, the rdpmc and long formats, the events PMCEID advertises', () => {
    const { kernel, environment } = simulate(NAME);
    const pmu = pmuOf(kernel);
    const env = environment.pmus.find((p) => p.name === pmu.name)!;
    assert.equal(env.type, pmu.type);
    assert.equal(env.formats.rdpmc, pmu.formats!.rdpmc);
    assert.equal(env.formats.long, pmu.formats!.long);
    assert.deepEqual(env.events, pmu.sysfsEvents);
    assert.equal(environment.arch, 'arm64');
  });

  it('opens exactly the generalised events the PMU advertises; the others are ENOENT (armpmu_map_hw_event)', () => {
    const { kernel } = simulate(NAME, MANUAL);
    const pmu = pmuOf(kernel);
    for (const e of HW_EVENTS.filter((x) => kernel.persona.features.has(`event.hardware.${x.name}`))) {
      const r = open(kernel, hw(e.name));
      if ((pmu.hardwareEvents ?? []).includes(e.name)) fdOf(r);
      else assert.equal(isErr(r) && r.errno, ERRNO.ENOENT, `${e.name}: ${JSON.stringify(r)}`);
    }
    closeAll(kernel);
  });

  it('separate cycles counters: as many as the PMU has counters run the whole time, one more and all multiplex', () => {
    const { kernel } = simulate(NAME, MANUAL);
    const n = pmuOf(kernel).counters;
    for (const count of [n, n + 1]) {
      const fds = Array.from({ length: count }, () => fdOf(open(kernel, hw('cpu_cycles'))));
      kernel.work(1_000_000);
      const mux = fds.map((fd) => times(kernel, fd)).filter((r) => r.timeRunning! < r.timeEnabled!).length;
      assert.equal(mux, count > n ? count : 0, `${count} cycles counters`);
      closeAll(kernel);
    }
  });

  it('a group runs when its events fit their counters: cycles may use the cycle counter, other events only the general ones', () => {
    const { kernel } = simulate(NAME, MANUAL);
    const pmu = pmuOf(kernel);
    const other = generalOnly(pmu);
    for (const [name, fit] of [['cpu_cycles', pmu.counters], [other, pmu.counters - cycleCounters(pmu)]] as const) {
      const ok = runGroup(kernel, fit, name);
      assert.equal(ok.opened, fit);
      assert.equal(ok.running, ok.enabled, `${fit} × ${name} should run all the time`);
      // validate_event skips the disabled leader, so one more opens (arm_pmu's validate_group) but never runs.
      const over = runGroup(kernel, fit + 1, name);
      assert.equal(over.opened, fit + 1, `${fit + 1} × ${name} should open`);
      assert.equal(over.running, 0n, `${fit + 1} × ${name} should never run`);
    }
  });

  it('validate_group refuses, with EINVAL, an enabled group larger than the counters', () => {
    const { kernel } = simulate(NAME, MANUAL);
    const n = pmuOf(kernel).counters;
    const leader = fdOf(open(kernel, hw('cpu_cycles')));
    for (let i = 1; i < n; i++) fdOf(open(kernel, hw('cpu_cycles'), { group: leader }));
    const r = open(kernel, hw('cpu_cycles'), { group: leader });
    assert.equal(isErr(r) && r.errno, ERRNO.EINVAL);
    closeAll(kernel);
  });

  it('64-bit events (config1:long) on 32-bit counters take a pair each (armv8pmu_get_chain_idx)', () => {
    const { kernel } = simulate(NAME, MANUAL);
    const pmu = pmuOf(kernel);
    const pairs = Math.floor((pmu.counters - cycleCounters(pmu)) / 2);
    const long = 1n << BigInt(pmu.wide!.config1Bit);
    const fds = Array.from({ length: pairs + 1 }, () => fdOf(open(kernel, hw(generalOnly(pmu), { config1: long }))));
    kernel.work(1_000_000);
    const mux = fds.map((fd) => times(kernel, fd)).filter((r) => r.timeRunning! < r.timeEnabled!).length;
    assert.equal(mux, pairs + 1, `${pairs + 1} 64-bit events on ${pairs} pairs should all multiplex`);
    closeAll(kernel);
  });

  it('accepts every precise_ip level and exclude_* filter but exclude_idle (armv8pmu_set_event_filter: EOPNOTSUPP)', () => {
    const { kernel } = simulate(NAME, MANUAL);
    for (const level of [1, 2, 3]) fdOf(open(kernel, hw('cpu_cycles', { precise_ip: level, sample_period: 100000 })));
    for (const f of ['exclude_guest', 'exclude_host', 'exclude_user']) fdOf(open(kernel, hw('cpu_cycles', { [f]: 1 })));
    const r = open(kernel, hw('cpu_cycles', { exclude_idle: 1 }));
    assert.equal(isErr(r) && r.errno, ERRNO.EOPNOTSUPP);
    closeAll(kernel);
  });

  it('the events qemu never fires open and count 0', () => {
    const { kernel } = simulate(NAME, MANUAL);
    for (const name of pmuOf(kernel).neverCounts!) {
      const fd = fdOf(open(kernel, hw(name)));
      kernel.work(1_000_000);
      assert.equal(times(kernel, fd).values[0]!.value, 0n, name);
    }
    closeAll(kernel);
  });

  for (const access of [0, 1]) {
    it(`config1:rdpmc gives cap_user_rdpmc; the page shows a counter index only with perf_user_access 1 (here ${access})`, () => {
      const { kernel } = simulate(NAME, { ...MANUAL, perfUserAccess: access });
      const pmu = pmuOf(kernel);
      const rdpmc = 1n << BigInt(pmu.userRead!.config1Bit);
      const page = (config1: bigint): { caps: bigint; index: number; width: number } => {
        const fd = fdOf(open(kernel, hw('cpu_cycles', { config1 })));
        const m = kernel.mmap(fd, 4096, PROT_READ | PROT_WRITE, MAP_SHARED);
        assert.ok('mapping' in m);
        kernel.work(1000);
        const dv = new DataView(m.mapping.buffer);
        const out = { caps: dv.getBigUint64(MMAP_PAGE.capabilities.offset, true), index: dv.getUint32(MMAP_PAGE.index.offset, true), width: dv.getUint16(MMAP_PAGE.pmc_width.offset, true) };
        kernel.munmap(m.mapping);
        kernel.close(fd);
        return out;
      };
      const asked = page(rdpmc);
      assert.equal((asked.caps >> BigInt(CAP_RDPMC)) & 1n, 1n);
      assert.equal(asked.width, 32);
      // armv8pmu_user_event_idx: the cycle counter's user index, or 0 while the sysctl forbids.
      assert.equal(asked.index, access === 1 ? pmu.dedicated![0]!.userIndex : 0);
      const plain = page(0n);
      assert.equal((plain.caps >> BigInt(CAP_RDPMC)) & 1n, 0n);
      assert.equal(plain.index, 0);
    });
  }

  it('config1:rdpmc on a CPU-wide event is EINVAL; 64-bit rdpmc on a non-cycles event without long counters EOPNOTSUPP', () => {
    const { kernel } = simulate(NAME, MANUAL);
    const pmu = pmuOf(kernel);
    const rdpmc = 1n << BigInt(pmu.userRead!.config1Bit);
    const cpuWide = open(kernel, hw('cpu_cycles', { config1: rdpmc }), { pid: -1, cpu: 0 });
    assert.equal(isErr(cpuWide) && cpuWide.errno, ERRNO.EINVAL);
    const wide = open(kernel, hw(generalOnly(pmu), { config1: rdpmc | (1n << BigInt(pmu.wide!.config1Bit)) }));
    assert.equal(isErr(wide) && wide.errno, ERRNO.EOPNOTSUPP);
    fdOf(open(kernel, hw('cpu_cycles', { config1: rdpmc | (1n << BigInt(pmu.wide!.config1Bit)) })));
    closeAll(kernel);
  });
});

describe(`${NAME}: the engine's map`, function () {
  this.timeout(120_000);

  it('hardware events follow the PMU\'s list; the control page\'s time bits are there; no fd is left open', () => {
    const sim = simulate(NAME);
    const map = getCapabilities(sim);
    const pmu = pmuOf(sim.kernel);
    for (const e of HW_EVENTS.filter((x) => sim.kernel.persona.features.has(`event.hardware.${x.name}`))) {
      const want = (pmu.hardwareEvents ?? []).includes(e.name) ? 'supported' : 'no-hardware';
      assert.equal(map.features[`event.hardware.${e.name}`]?.status, want, e.name);
    }
    assert.equal(map.features[`pmu.${pmu.name}`]?.status, 'supported');
    for (const c of pmu.mmapCaps!.filter((n) => n.startsWith('cap_user_time'))) assert.equal(map.features[`mmap.${c}`]?.status, 'supported', c);
    assert.equal(sim.kernel.openFdCount(), 0);
  });
});

describe(`${NAME}: the shim`, function () {
  this.timeout(120_000);

  for (let n = 1; n <= 10; n++) {
    it(`an EventSet of ${n} cycles events opens, counts every member, multiplexes only past the counters and scales alike`, () => {
      const sim = simulate(NAME, MANUAL);
      const counters = pmuOf(sim.kernel).counters;
      const set = new EventSet({ kernel: sim.kernel, capabilities: getCapabilities(sim) });
      try {
        for (let i = 0; i < n; i++) set.add('cycles');
        set.start();
        sim.kernel.work(2_000_000);
        set.stop();
        const values = set.readValues();
        assert.equal(values.length, n);
        for (const v of values) assert.ok(v.counted && v.value > 0n, `a member never ran: ${JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? String(x) : x))}`);
        const mux = values.filter((v) => v.timeRunning < v.timeEnabled).length;
        assert.equal(mux, n > counters ? n : 0);
        const scaled = values.map((v) => Number(v.scaled)).sort((a, b) => a - b);
        const median = scaled[Math.floor(n / 2)]!;
        for (const s of scaled) assert.ok(Math.abs(s - median) <= 0.25 * median, `scaled ${s} vs median ${median}`);
      } finally { set.close(); }
      assert.equal(sim.kernel.openFdCount(), 0);
    });
  }

  it('a Sampler on cycles gets samples, none of them EXACT_IP, even with :ppp (precise_ip accepted, ignored)', () => {
    const sim = simulate(NAME, MANUAL);
    const capabilities = getCapabilities(sim);
    for (const spec of ['cycles', 'cycles:ppp']) {
      const s = new Sampler(spec, { kernel: sim.kernel, capabilities, period: 100_000, sampleType: ['ip', 'tid'], startDisabled: true, policy: { allowPreciseDowngrade: true } });
      try {
        s.enable();
        sim.kernel.work(2_000_000);
        s.disable();
        const samples = s.drain().filter((r: { kind: string }) => r.kind === 'sample') as { misc: number }[];
        assert.ok(samples.length > 0, `${spec}: no samples`);
        assert.equal(samples.filter((r) => (r.misc & PERF_RECORD_MISC.EXACT_IP) !== 0).length, 0, spec);
      } finally { s.close(); }
    }
    // The knob is not arm's alone: a PMU that honours precise_ip marks its samples.
    const x86 = simulate('mainline-6.18', MANUAL);
    const s = new Sampler('cycles:pp', { kernel: x86.kernel, capabilities: getCapabilities(x86), period: 100_000, sampleType: ['ip'], startDisabled: true });
    try {
      s.enable();
      x86.kernel.work(2_000_000);
      s.disable();
      const samples = s.drain().filter((r: { kind: string }) => r.kind === 'sample') as { misc: number }[];
      assert.ok(samples.length > 0 && samples.every((r) => (r.misc & PERF_RECORD_MISC.EXACT_IP) !== 0));
    } finally { s.close(); }
  });
});

describe(`${NAME}: the behaviour checks`, function () {
  this.timeout(120_000);

  it('the checks that need only cycles and software events pass, and no fd is left open', () => {
    const { kernel } = simulate(NAME);
    const byName = new Map(runBehaviourTests({ kernel }).map((r) => [r.name, r]));
    for (const name of ['counter_counts', 'group_read', 'ioctl_reset', 'ioctl_disable_enable', 'ioctl_flag_group', 'ioctl_refresh', 'ioctl_period', 'ioctl_id', 'overflow']) {
      assert.equal(byName.get(name)?.outcome, 'ok', `${name}: ${byName.get(name)?.entry.reason ?? ''}`);
    }
    assert.equal(kernel.openFdCount(), 0);
  });
});
