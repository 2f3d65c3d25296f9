import assert from 'node:assert/strict';
import {
  encodeAttr, AttrInput, ERRNO, PERF_TYPE, PERF_FORMAT, PERF_FLAG, PERF_SAMPLE, decodeRead, readSize,
  perfIoctl, archAbi, F_GETFD, FD_CLOEXEC, PROT_READ, PROT_WRITE, MAP_SHARED, MMAP_PAGE, PERF_RECORD,
  PR_TASK_PERF_EVENTS_DISABLE, HW_BREAKPOINT,
} from '../../../src/abi';
import { isErr, OpenResult } from '../../../src/sys/kernel';
import { simulate, SimKernel } from '../../sim';

const MANUAL = { clock: 'manual' as const };
const SW_CPU_CLOCK: AttrInput = { type: PERF_TYPE.SOFTWARE, config: 0, exclude_kernel: 1, exclude_hv: 1 };
const HW_CYCLES: AttrInput = { type: PERF_TYPE.HARDWARE, config: 0, exclude_kernel: 1, exclude_hv: 1 };

function open(k: SimKernel, attr: AttrInput, o: { size?: number; pid?: number; cpu?: number; group?: number; flags?: number } = {}): OpenResult {
  return k.perfEventOpen(encodeAttr(attr, { size: o.size ?? k.persona.attrSize }), o.pid ?? 0, o.cpu ?? -1, o.group ?? -1, o.flags ?? 0);
}
function fdOf(r: OpenResult): number {
  assert.ok('fd' in r, `expected an fd, got ${JSON.stringify(r)}`);
  return r.fd;
}
function errnoOf(r: OpenResult): number {
  assert.ok(isErr(r), `expected an errno, got ${JSON.stringify(r)}`);
  return r.errno;
}
function ioc(k: SimKernel, name: string): number {
  return perfIoctl(name, archAbi(k.arch));
}
function readOne(k: SimKernel, fd: number, fmt: bigint, members = 1): ReturnType<typeof decodeRead> & { bytes: number } {
  const buf = Buffer.alloc(readSize(fmt, members) + 64);
  const r = k.read(fd, buf);
  assert.ok('bytes' in r, `read failed: ${JSON.stringify(r)}`);
  if (r.bytes === 0) return { values: [], bytes: 0 };
  return { ...decodeRead(buf, fmt, r.bytes), bytes: r.bytes };
}

describe('SimKernel: attr validation like perf_copy_attr', () => {
  it('refuses an attr larger than it knows with non-zero tail bytes: E2BIG, its size written back', () => {
    const { kernel } = simulate('mainline-4.1', MANUAL);
    assert.equal(kernel.persona.attrSize, 112);
    const bytes = encodeAttr({ ...SW_CPU_CLOCK, aux_sample_size: 64 }, { size: 120 });
    const r = kernel.perfEventOpen(bytes, 0, -1, -1, 0);
    assert.deepEqual(r, { errno: ERRNO.E2BIG, attrSize: 112 });
    assert.equal(bytes.readUInt32LE(4), 112);
  });

  it('accepts a larger attr whose extra bytes are all zero', () => {
    const { kernel } = simulate('mainline-4.1', MANUAL);
    const fd = fdOf(open(kernel, SW_CPU_CLOCK, { size: 144 }));
    assert.ok(fd >= 3);
  });

  it('refuses sizes below VER0 and above a page with E2BIG', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const small = encodeAttr(SW_CPU_CLOCK, { size: 64, sizeField: 48 });
    assert.equal(errnoOf(kernel.perfEventOpen(small, 0, -1, -1, 0)), ERRNO.E2BIG);
    assert.equal(small.readUInt32LE(4), 136);
    const huge = encodeAttr(SW_CPU_CLOCK, { size: 144, sizeField: 8192 });
    assert.equal(errnoOf(kernel.perfEventOpen(huge, 0, -1, -1, 0)), ERRNO.E2BIG);
  });

  it('treats size 0 as VER0', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    fdOf(kernel.perfEventOpen(encodeAttr(SW_CPU_CLOCK, { size: 64, sizeField: 0 }), 0, -1, -1, 0));
  });

  it('refuses flag bits of a later kernel with EINVAL and accepts them once they exist', () => {
    const sig = { ...SW_CPU_CLOCK, sigtrap: 1, remove_on_exec: 1 };
    assert.equal(errnoOf(open(simulate('mainline-5.10', MANUAL).kernel, sig)), ERRNO.EINVAL);
    fdOf(open(simulate('mainline-6.1', MANUAL).kernel, sig));
  });

  it('refuses sigtrap without remove_on_exec, and remove_on_exec with enable_on_exec', () => {
    const { kernel } = simulate('mainline-6.1', MANUAL);
    assert.equal(errnoOf(open(kernel, { ...SW_CPU_CLOCK, sigtrap: 1 })), ERRNO.EINVAL);
    assert.equal(errnoOf(open(kernel, { ...SW_CPU_CLOCK, remove_on_exec: 1, enable_on_exec: 1, disabled: 1 })), ERRNO.EINVAL);
  });

  it('refuses reserved flag bits on every version', () => {
    for (const name of ['mainline-3.10', 'mainline-6.18']) {
      const { kernel } = simulate(name);
      assert.equal(errnoOf(open(kernel, { ...SW_CPU_CLOCK, __reserved_1: 1 })), ERRNO.EINVAL, name);
    }
  });

  it('refuses unknown read_format, sample_type and branch_sample_type bits', () => {
    const { kernel } = simulate('mainline-5.10', MANUAL);
    assert.equal(errnoOf(open(kernel, { ...SW_CPU_CLOCK, read_format: PERF_FORMAT.LOST })), ERRNO.EINVAL);
    assert.equal(errnoOf(open(kernel, { ...SW_CPU_CLOCK, sample_type: 1n << 30n })), ERRNO.EINVAL);
    assert.equal(errnoOf(open(kernel, { ...HW_CYCLES, sample_period: 1000, sample_type: PERF_SAMPLE.BRANCH_STACK, branch_sample_type: 1n << 19n })), ERRNO.EINVAL);
  });

  it('accepts a backported PERF_FORMAT_LOST on the Debian 5.10 persona', () => {
    const { kernel } = simulate('debian-5.10-lost', MANUAL);
    fdOf(open(kernel, { ...SW_CPU_CLOCK, read_format: PERF_FORMAT.LOST }));
  });

  it('accepts use_clockid on the RHEL 3.10 persona but not on mainline 3.10', () => {
    const clock = { ...SW_CPU_CLOCK, use_clockid: 1, clockid: 1 };
    assert.equal(errnoOf(open(simulate('mainline-3.10', MANUAL).kernel, clock)), ERRNO.EINVAL);
    fdOf(open(simulate('rhel7-backports', MANUAL).kernel, clock));
    assert.equal(errnoOf(open(simulate('rhel7-backports', MANUAL).kernel, { ...clock, clockid: 3 })), ERRNO.EINVAL);
  });

  it('refuses PERF_SAMPLE_CGROUP where it is compiled out', () => {
    const a = { ...SW_CPU_CLOCK, sample_period: 1000, sample_type: PERF_SAMPLE.CGROUP };
    fdOf(open(simulate('mainline-6.1', MANUAL).kernel, a));
    assert.equal(errnoOf(open(simulate('compiled-out-6.6', MANUAL).kernel, a)), ERRNO.EINVAL);
  });

  it('ignores unknown open flags before 3.15 and honours none of them', () => {
    const old = simulate('mainline-3.10', MANUAL).kernel;
    const fd = fdOf(open(old, SW_CPU_CLOCK, { flags: PERF_FLAG.FD_CLOEXEC }));
    assert.deepEqual(old.fcntl(fd, F_GETFD), { value: 0 });
    // Without the flag the fd is inheritable until fcntl says otherwise (the seam sets nothing itself).
    const fd2 = fdOf(open(old, SW_CPU_CLOCK));
    assert.deepEqual(old.fcntl(fd2, F_GETFD), { value: 0 });
    const cur = simulate('mainline-6.18', MANUAL).kernel;
    assert.deepEqual(cur.fcntl(fdOf(open(cur, SW_CPU_CLOCK, { flags: PERF_FLAG.FD_CLOEXEC })), F_GETFD), { value: FD_CLOEXEC });
    assert.equal(errnoOf(open(cur, SW_CPU_CLOCK, { flags: 1 << 7 })), ERRNO.EINVAL);
  });

  it('refuses inherit + PERF_FORMAT_GROUP before 4.13 and inherit + PERF_SAMPLE_READ from 4.13 to 6.12', () => {
    const grp = { ...SW_CPU_CLOCK, inherit: 1, read_format: PERF_FORMAT.GROUP };
    assert.equal(errnoOf(open(simulate('mainline-4.1', MANUAL).kernel, grp)), ERRNO.EINVAL);
    fdOf(open(simulate('mainline-4.19', MANUAL).kernel, grp));
    const sr = { ...SW_CPU_CLOCK, inherit: 1, sample_period: 1000, sample_type: PERF_SAMPLE.READ! | PERF_SAMPLE.TID! };
    assert.equal(errnoOf(open(simulate('mainline-6.1', MANUAL).kernel, sr)), ERRNO.EINVAL);
    fdOf(open(simulate('mainline-6.12', MANUAL).kernel, sr));
  });
});

describe('SimKernel: events and PMUs', () => {
  it('gives ENOENT for hardware events without a PMU and for unknown software events', () => {
    const { kernel } = simulate('vm-no-pmu', MANUAL);
    assert.equal(errnoOf(open(kernel, HW_CYCLES)), ERRNO.ENOENT);
    assert.equal(errnoOf(open(kernel, { type: PERF_TYPE.HW_CACHE, config: 0, exclude_kernel: 1 })), ERRNO.ENOENT);
    assert.equal(errnoOf(open(kernel, { ...SW_CPU_CLOCK, config: 99 })), ERRNO.ENOENT);
    assert.equal(errnoOf(open(kernel, { ...SW_CPU_CLOCK, type: 77 })), ERRNO.ENOENT);
    fdOf(open(kernel, { type: 9, config: 0, exclude_kernel: 0 }));
  });

  it('knows software events by the release that added them', () => {
    assert.equal(errnoOf(open(simulate('mainline-5.10', MANUAL).kernel, { ...SW_CPU_CLOCK, config: 11 })), ERRNO.ENOENT);
    fdOf(open(simulate('mainline-6.1', MANUAL).kernel, { ...SW_CPU_CLOCK, config: 11 }));
  });

  it('answers EOPNOTSUPP for what the PMU cannot do', () => {
    const arm = simulate('arm64-graviton', MANUAL).kernel;
    assert.equal(arm.arch, 'arm64');
    fdOf(open(arm, HW_CYCLES));
    assert.equal(errnoOf(open(arm, { ...HW_CYCLES, precise_ip: 2 })), ERRNO.EOPNOTSUPP);
    assert.equal(errnoOf(open(arm, { ...HW_CYCLES, sample_period: 1000, sample_type: PERF_SAMPLE.BRANCH_STACK, branch_sample_type: 1n << 3n })), ERRNO.EOPNOTSUPP);
    const x86 = simulate('mainline-6.18', MANUAL).kernel;
    fdOf(open(x86, { ...HW_CYCLES, precise_ip: 3 }));
    assert.equal(errnoOf(open(x86, { ...SW_CPU_CLOCK, sample_period: 1000, sample_type: PERF_SAMPLE.BRANCH_STACK, branch_sample_type: 1n << 3n })), ERRNO.EOPNOTSUPP);
  });

  it('validates breakpoints and runs out of slots with ENOSPC', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const bp = { type: PERF_TYPE.BREAKPOINT, bp_type: HW_BREAKPOINT.W, bp_addr: 0x1000, bp_len: 8, exclude_kernel: 1 };
    assert.equal(errnoOf(open(kernel, { ...bp, bp_len: 3 })), ERRNO.EINVAL);
    const fds = [0, 1, 2, 3].map(() => fdOf(open(kernel, bp)));
    assert.equal(errnoOf(open(kernel, bp)), ERRNO.ENOSPC);
    kernel.close(fds[0]!);
    fdOf(open(kernel, bp));
  });
});

describe('SimKernel: hybrid CPUs', () => {
  const ext = (type: number, id: number): bigint => (BigInt(type) << 32n) | BigInt(id);

  it('routes hardware events by the extended type to cpu_core or cpu_atom; an unknown type is ENOENT', () => {
    const { kernel, environment } = simulate('hybrid-alderlake', MANUAL);
    assert.deepEqual(environment.pmus.filter((p) => p.core).map((p) => [p.name, p.type, p.cpumask]), [['cpu_core', 4, '0,2'], ['cpu_atom', 10, '1,3']]);
    assert.equal(kernel.event(fdOf(open(kernel, HW_CYCLES)))!.pmu, 'cpu_core');
    assert.equal(kernel.event(fdOf(open(kernel, { ...HW_CYCLES, config: ext(10, 0) })))!.pmu, 'cpu_atom');
    assert.equal(errnoOf(open(kernel, { ...HW_CYCLES, config: ext(77, 0) })), ERRNO.ENOENT);
  });

  it('refuses a group that mixes core PMUs; before 5.13 the extended type is EINVAL', () => {
    const { kernel } = simulate('hybrid-alderlake', MANUAL);
    const leader = fdOf(open(kernel, HW_CYCLES));
    assert.equal(errnoOf(open(kernel, { ...HW_CYCLES, config: ext(10, 1) }, { group: leader })), ERRNO.EINVAL);
    fdOf(open(kernel, { ...HW_CYCLES, config: 1 }, { group: leader }));
    const old = simulate('hybrid-alderlake', { ...MANUAL, base: '5.10' }).kernel;
    assert.equal(errnoOf(open(old, { ...HW_CYCLES, config: ext(10, 0) })), ERRNO.EINVAL);
  });

  it('schedules each core PMU with its own counters', () => {
    const { kernel } = simulate('hybrid-alderlake', MANUAL);
    const FMT = PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING;
    const atom = [0, 1, 2, 3, 4, 5, 6].map((i) => fdOf(open(kernel, { ...HW_CYCLES, config: ext(10, i % 6), read_format: FMT })));
    const core = [0, 1, 2].map((i) => fdOf(open(kernel, { ...HW_CYCLES, config: i, read_format: FMT })));
    kernel.work(7000);
    assert.equal(readOne(kernel, atom[0]!, FMT).timeRunning, 6000n);
    assert.equal(readOne(kernel, core[0]!, FMT).timeRunning, 7000n);
  });
});

describe('SimKernel: permissions', () => {
  it('paranoid 2 unprivileged: kernel counting and CPU-wide are EACCES, user-space counting works', () => {
    const { kernel } = simulate('paranoid2-user', MANUAL);
    assert.equal(errnoOf(open(kernel, { type: PERF_TYPE.SOFTWARE, config: 0 })), ERRNO.EACCES);
    fdOf(open(kernel, SW_CPU_CLOCK));
    assert.equal(errnoOf(open(kernel, SW_CPU_CLOCK, { pid: -1, cpu: 0 })), ERRNO.EACCES);
  });

  it('validates the attr before checking permission (EINVAL, not EACCES) at paranoid 2', () => {
    const { kernel } = simulate('paranoid2-user', MANUAL);
    assert.equal(errnoOf(open(kernel, { type: PERF_TYPE.SOFTWARE, config: 0, __reserved_1: 1 })), ERRNO.EINVAL);
  });

  it('paranoid 3 (Debian) refuses every open of an unprivileged caller with EACCES, even a bad attr', () => {
    const { kernel } = simulate('paranoid3-user', MANUAL);
    assert.equal(errnoOf(open(kernel, SW_CPU_CLOCK)), ERRNO.EACCES);
    assert.equal(errnoOf(open(kernel, { ...SW_CPU_CLOCK, __reserved_1: 1 })), ERRNO.EACCES);
  });

  it('CAP_PERFMON counts only on kernels that know it (5.8+)', () => {
    const caps = { euid: 1000, caps: { perfmon: true } };
    const k = { type: PERF_TYPE.SOFTWARE, config: 0 };
    assert.equal(errnoOf(open(simulate('mainline-5.4', { ...MANUAL, ...caps }).kernel, k)), ERRNO.EACCES);
    fdOf(open(simulate('mainline-5.10', { ...MANUAL, ...caps }).kernel, k));
  });

  it('seccomp personas refuse every open with EPERM or ENOSYS', () => {
    assert.equal(errnoOf(open(simulate('seccomp-eperm', MANUAL).kernel, SW_CPU_CLOCK)), ERRNO.EPERM);
    assert.equal(errnoOf(open(simulate('seccomp-enosys', MANUAL).kernel, SW_CPU_CLOCK)), ERRNO.ENOSYS);
  });

  it('tracepoints with PERF_SAMPLE_RAW need CAP_SYS_ADMIN', () => {
    const tp = { type: PERF_TYPE.TRACEPOINT, config: 316, exclude_kernel: 1, sample_period: 1, sample_type: PERF_SAMPLE.RAW };
    assert.equal(errnoOf(open(simulate('mainline-6.18', { ...MANUAL, euid: 1000, paranoid: 1 }).kernel, tp)), ERRNO.EPERM);
    fdOf(open(simulate('mainline-6.18', MANUAL).kernel, tp));
    assert.equal(errnoOf(open(simulate('mainline-6.18', MANUAL).kernel, { ...tp, config: 99999 })), ERRNO.EINVAL);
  });
});

describe('SimKernel: fds', () => {
  it('runs out of fds under RLIMIT_NOFILE with EMFILE and recovers after close', () => {
    const { kernel } = simulate('fd-starved', MANUAL);
    const fds: number[] = [];
    for (;;) {
      const r = open(kernel, SW_CPU_CLOCK);
      if (isErr(r)) { assert.equal(r.errno, ERRNO.EMFILE); break; }
      fds.push(r.fd);
    }
    assert.deepEqual(fds, [20, 21, 22, 23]);
    assert.deepEqual(kernel.close(21), { ok: true });
    assert.equal(fdOf(open(kernel, SW_CPU_CLOCK)), 21);
  });

  it('close of an unknown fd is EBADF; openFdCount follows opens and closes', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, SW_CPU_CLOCK));
    assert.equal(kernel.openFdCount(), 1);
    assert.deepEqual(kernel.close(fd), { ok: true });
    assert.deepEqual(kernel.close(fd), { errno: ERRNO.EBADF });
    assert.equal(kernel.openFdCount(), 0);
  });
});

describe('SimKernel: counting, groups and multiplexing', () => {
  const FMT = PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING;

  it('counts work of enabled events only; reset zeroes; disable stops', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, { ...SW_CPU_CLOCK, disabled: 1, read_format: FMT }));
    kernel.work(1000);
    assert.equal(readOne(kernel, fd, FMT).values[0]!.value, 0n);
    assert.deepEqual(kernel.ioctl(fd, ioc(kernel, 'enable')), { value: 0 });
    kernel.work(5000);
    const r = readOne(kernel, fd, FMT);
    assert.equal(r.values[0]!.value, 5000n);
    assert.equal(r.timeEnabled, 5000n);
    assert.equal(r.timeRunning, 5000n);
    kernel.ioctl(fd, ioc(kernel, 'reset'));
    assert.equal(readOne(kernel, fd, FMT).values[0]!.value, 0n);
    kernel.ioctl(fd, ioc(kernel, 'disable'));
    kernel.work(5000);
    assert.equal(readOne(kernel, fd, FMT).values[0]!.value, 0n);
  });

  it('a too-short read buffer is ENOSPC', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, { ...SW_CPU_CLOCK, read_format: FMT }));
    assert.deepEqual(kernel.read(fd, Buffer.alloc(16)), { errno: ERRNO.ENOSPC });
  });

  it('prctl disables all task counters', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, SW_CPU_CLOCK));
    kernel.prctl(PR_TASK_PERF_EVENTS_DISABLE);
    kernel.work(1000);
    assert.equal(readOne(kernel, fd, 0n).values[0]!.value, 0n);
  });

  it('reads a whole group with PERF_FORMAT_GROUP', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fmt = PERF_FORMAT.GROUP | PERF_FORMAT.ID | FMT;
    const leader = fdOf(open(kernel, { ...SW_CPU_CLOCK, disabled: 1, read_format: fmt }));
    fdOf(open(kernel, { ...SW_CPU_CLOCK, config: 1, read_format: fmt }, { group: leader }));
    kernel.ioctl(leader, ioc(kernel, 'enable'), 1);
    kernel.work(2000);
    const r = readOne(kernel, leader, fmt, 2);
    assert.equal(r.values.length, 2);
    assert.deepEqual(r.values.map((v) => v.value), [2000n, 2000n]);
  });

  it('with the NMI watchdog holding a counter, a group of 4 opens but never runs; 3 runs', () => {
    const { kernel } = simulate('nmi-watchdog', MANUAL);
    const fmt = PERF_FORMAT.GROUP | FMT;
    const mk = (n: number): number => {
      const leader = fdOf(open(kernel, { ...HW_CYCLES, read_format: fmt, disabled: 1 }));
      for (let i = 1; i < n; i++) fdOf(open(kernel, { ...HW_CYCLES, config: i, read_format: fmt }, { group: leader }));
      return leader;
    };
    const big = mk(4);
    assert.equal(errnoOf(open(kernel, { ...HW_CYCLES, config: 5, read_format: fmt }, { group: big })), ERRNO.EINVAL);
    kernel.ioctl(big, ioc(kernel, 'enable'), 1);
    kernel.work(1000);
    const r = readOne(kernel, big, fmt, 4);
    assert.equal(r.timeEnabled, 1000n);
    assert.equal(r.timeRunning, 0n);
    assert.ok(r.values.every((v) => v.value === 0n));
    kernel.ioctl(big, ioc(kernel, 'disable'), 1);
    const small = mk(3);
    kernel.ioctl(small, ioc(kernel, 'enable'), 1);
    kernel.work(1000);
    const s = readOne(kernel, small, fmt, 3);
    assert.equal(s.timeRunning, 1000n);
    assert.ok(s.values[0]!.value > 0n);
  });

  it('multiplexes groups that together exceed the counters', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fds = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => fdOf(open(kernel, { ...HW_CYCLES, config: i % 6, read_format: FMT })));
    kernel.work(8000);
    const r = readOne(kernel, fds[0]!, FMT);
    assert.equal(r.timeEnabled, 8000n);
    assert.equal(r.timeRunning, 4000n);
  });

  it('a pinned group that cannot be scheduled reads 0 bytes', () => {
    const { kernel } = simulate('nmi-watchdog', MANUAL);
    const fmt = PERF_FORMAT.GROUP;
    const leader = fdOf(open(kernel, { ...HW_CYCLES, pinned: 1, read_format: fmt }));
    for (let i = 1; i < 4; i++) fdOf(open(kernel, { ...HW_CYCLES, config: i, read_format: fmt }, { group: leader }));
    kernel.work(1000);
    assert.deepEqual(kernel.read(leader, Buffer.alloc(128)), { bytes: 0 });
  });

  it('quirks: hardware counts zeros, FORMAT_GROUP returns only the leader, RESET does nothing', () => {
    const { kernel } = simulate('quirky-pmu', MANUAL);
    const fmt = PERF_FORMAT.GROUP | FMT;
    const leader = fdOf(open(kernel, { ...SW_CPU_CLOCK, read_format: fmt }));
    fdOf(open(kernel, { ...HW_CYCLES, read_format: fmt }, { group: leader }));
    kernel.work(1000);
    const buf = Buffer.alloc(256);
    const r = kernel.read(leader, buf);
    assert.ok('bytes' in r);
    assert.equal(r.bytes, readSize(fmt, 1));
    assert.equal(decodeRead(buf, fmt, r.bytes).values.length, 1);
    const hw = fdOf(open(kernel, { ...HW_CYCLES, read_format: FMT }));
    kernel.work(1000);
    const h = readOne(kernel, hw, FMT);
    assert.equal(h.values[0]!.value, 0n);
    assert.equal(h.timeRunning, 1000n);
    kernel.ioctl(leader, ioc(kernel, 'reset'));
    assert.ok(readOne(kernel, leader, fmt, 1).values[0]!.value > 0n);
  });

  it('enable_on_exec events wait for exec()', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, { ...SW_CPU_CLOCK, disabled: 1, enable_on_exec: 1 }));
    kernel.work(100);
    assert.equal(readOne(kernel, fd, 0n).values[0]!.value, 0n);
    kernel.exec();
    kernel.work(100);
    assert.equal(readOne(kernel, fd, 0n).values[0]!.value, 100n);
  });
});

describe('SimKernel: ioctls', () => {
  it('answers ENOTTY for ioctls the kernel does not have', () => {
    const old = simulate('mainline-4.1', MANUAL).kernel;
    const fd = fdOf(open(old, SW_CPU_CLOCK));
    assert.deepEqual(old.ioctl(fd, ioc(old, 'modify_attributes'), encodeAttr(SW_CPU_CLOCK, { size: 112 })), { errno: ERRNO.ENOTTY });
    assert.deepEqual(old.ioctl(fd, 0x2499), { errno: ERRNO.ENOTTY });
    assert.deepEqual(old.ioctl(fd, ioc(old, 'set_bpf'), 99), { errno: ERRNO.EBADF });
    const m310 = simulate('mainline-3.10', MANUAL).kernel;
    assert.deepEqual(m310.ioctl(fdOf(open(m310, SW_CPU_CLOCK)), ioc(m310, 'id'), Buffer.alloc(8)), { errno: ERRNO.ENOTTY });
  });

  it('ID writes the event id; PERIOD needs a sampling event; MODIFY_ATTRIBUTES is for breakpoints', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, SW_CPU_CLOCK));
    const id = Buffer.alloc(8);
    assert.deepEqual(kernel.ioctl(fd, ioc(kernel, 'id'), id), { value: 0 });
    assert.equal(id.readBigUInt64LE(0), kernel.event(fd)!.id);
    const p = Buffer.alloc(8); p.writeBigUInt64LE(500n);
    assert.deepEqual(kernel.ioctl(fd, ioc(kernel, 'period'), p), { errno: ERRNO.EINVAL });
    const s = fdOf(open(kernel, { ...SW_CPU_CLOCK, sample_period: 1000 }));
    assert.deepEqual(kernel.ioctl(s, ioc(kernel, 'period'), p), { value: 0 });
    assert.deepEqual(kernel.ioctl(fd, ioc(kernel, 'modify_attributes'), encodeAttr(SW_CPU_CLOCK, { size: 136 })), { errno: ERRNO.EOPNOTSUPP });
    assert.deepEqual(kernel.ioctl(fd, ioc(kernel, 'pause_output'), 1), { errno: ERRNO.EINVAL });
    assert.deepEqual(kernel.ioctl(fd, ioc(kernel, 'set_filter'), Buffer.from('x\0')), { errno: ERRNO.EINVAL });
  });
});

describe('SimKernel: mmap and samples', () => {
  it('maps a ring buffer with a control page whose capabilities follow the persona', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, HW_CYCLES));
    const r = kernel.mmap(fd, 4096 * 9, PROT_READ | PROT_WRITE, MAP_SHARED);
    assert.ok('mapping' in r);
    const dv = new DataView(r.mapping.buffer);
    const caps = dv.getBigUint64(MMAP_PAGE.capabilities.offset, true);
    assert.equal(caps & 1n, 0n, 'cap_bit0 always 0');
    assert.equal(caps & (1n << 1n), 2n, 'cap_bit0_is_deprecated');
    assert.equal(caps & (1n << 2n), 4n, 'cap_user_rdpmc on a hardware event');
    assert.equal(dv.getBigUint64(MMAP_PAGE.data_size.offset, true), 8n * 4096n);
    assert.deepEqual(kernel.munmap(r.mapping), { ok: true });
    assert.throws(() => kernel.munmap(r.mapping), RangeError);
  });

  it('refuses a ring that is not 1 + 2^n pages, or not MAP_SHARED', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, SW_CPU_CLOCK));
    assert.deepEqual(kernel.mmap(fd, 4096 * 4, PROT_READ, MAP_SHARED), { errno: ERRNO.EINVAL });
    assert.deepEqual(kernel.mmap(fd, 4096 * 3, PROT_READ, 2), { errno: ERRNO.EINVAL });
  });

  it('writes PERF_RECORD_SAMPLE records as work crosses the period, and poll sees them', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const st = PERF_SAMPLE.IP! | PERF_SAMPLE.TID! | PERF_SAMPLE.TIME! | PERF_SAMPLE.PERIOD!;
    const fd = fdOf(open(kernel, { ...SW_CPU_CLOCK, sample_period: 1000, sample_type: st }));
    const r = kernel.mmap(fd, 4096 * 3, PROT_READ | PROT_WRITE, MAP_SHARED);
    assert.ok('mapping' in r);
    assert.equal((kernel.poll([{ fd, events: 1 }], 0) as { ready: number }).ready, 0);
    kernel.work(3500);
    const dv = new DataView(r.mapping.buffer);
    const head = dv.getBigUint64(MMAP_PAGE.data_head.offset, true);
    assert.equal(head, 3n * 40n);
    assert.equal(dv.getUint32(4096, true), PERF_RECORD.SAMPLE);
    assert.equal(dv.getUint16(4096 + 6, true), 40);
    assert.equal(dv.getBigUint64(4096 + 8 + 24, true), 1000n, 'period');
    assert.equal((kernel.poll([{ fd, events: 1 }], 0) as { ready: number }).ready, 1);
  });

  it('a full buffer loses samples and reports them with PERF_RECORD_LOST once read', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, { ...SW_CPU_CLOCK, sample_period: 1, sample_type: PERF_SAMPLE.IP }));
    const r = kernel.mmap(fd, 4096 * 2, PROT_READ | PROT_WRITE, MAP_SHARED);
    assert.ok('mapping' in r);
    kernel.work(1000);
    const dv = new DataView(r.mapping.buffer);
    const head = dv.getBigUint64(MMAP_PAGE.data_head.offset, true);
    assert.equal(head, 4096n);
    assert.ok(kernel.event(fd)!.ring!.pendingLost > 0);
    dv.setBigUint64(MMAP_PAGE.data_tail.offset, head, true);
    kernel.work(1);
    assert.equal(dv.getUint32(4096 + Number(head % 4096n), true), PERF_RECORD.LOST);
  });
});

describe('SimKernel: backward rings, paused output, lost counts', () => {
  it('write_backward moves data_head down and writes each record at the new head', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, { ...SW_CPU_CLOCK, sample_period: 1000, sample_type: PERF_SAMPLE.IP, write_backward: 1 }));
    const r = kernel.mmap(fd, 4096 * 2, PROT_READ, MAP_SHARED);
    assert.ok('mapping' in r);
    kernel.work(2000);
    const dv = new DataView(r.mapping.buffer);
    const head = dv.getBigUint64(MMAP_PAGE.data_head.offset, true);
    assert.equal(head, BigInt.asUintN(64, -32n));
    assert.equal(dv.getUint32(4096 + 4096 - 32, true), PERF_RECORD.SAMPLE);
    assert.equal(dv.getUint16(4096 + 4096 - 32 + 6, true), 16);
  });

  it('PAUSE_OUTPUT drops samples and counts them lost; read() reports them with PERF_FORMAT_LOST', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fmt = PERF_FORMAT.LOST;
    const fd = fdOf(open(kernel, { ...SW_CPU_CLOCK, sample_period: 1000, sample_type: PERF_SAMPLE.IP, read_format: fmt }));
    const r = kernel.mmap(fd, 4096 * 2, PROT_READ | PROT_WRITE, MAP_SHARED);
    assert.ok('mapping' in r);
    assert.deepEqual(kernel.ioctl(fd, ioc(kernel, 'pause_output'), 1), { value: 0 });
    kernel.work(5000);
    const dv = new DataView(r.mapping.buffer);
    assert.equal(dv.getBigUint64(MMAP_PAGE.data_head.offset, true), 0n);
    assert.equal(readOne(kernel, fd, fmt).values[0]!.lost, 5n);
    kernel.ioctl(fd, ioc(kernel, 'pause_output'), 0);
    kernel.work(1000);
    assert.equal(dv.getUint32(4096, true), PERF_RECORD.LOST);
  });

  it('REFRESH n: the n-th overflow still writes its sample, then the event stops; REFRESH again re-arms it', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, { ...SW_CPU_CLOCK, disabled: 1, sample_period: 1000, sample_type: PERF_SAMPLE.IP }));
    const r = kernel.mmap(fd, 4096 * 2, PROT_READ | PROT_WRITE, MAP_SHARED);
    assert.ok('mapping' in r);
    const dv = new DataView(r.mapping.buffer);
    const head = (): bigint => dv.getBigUint64(MMAP_PAGE.data_head.offset, true);
    const record = 8 + 8; // header + IP
    assert.deepEqual(kernel.ioctl(fd, ioc(kernel, 'refresh'), 3), { value: 0 });
    kernel.work(1500);
    assert.equal(head(), 1n * BigInt(record), 'one overflow so far, the event still runs');
    kernel.work(10_000);
    assert.equal(head(), 3n * BigInt(record), 'exactly 3 samples');
    assert.equal(readOne(kernel, fd, 0n).values[0]!.value, 3000n, 'counting stopped at the 3rd overflow');
    kernel.work(10_000);
    assert.equal(readOne(kernel, fd, 0n).values[0]!.value, 3000n);
    assert.deepEqual(kernel.ioctl(fd, ioc(kernel, 'refresh'), 1), { value: 0 });
    kernel.work(10_000);
    assert.equal(head(), 4n * BigInt(record));
    assert.equal(readOne(kernel, fd, 0n).values[0]!.value, 4000n);
  });
});

describe('SimKernel: real clock', () => {
  it('by default lets wall time between calls count, so spin-then-read code sees counts grow', () => {
    const { kernel } = simulate('mainline-6.18');
    const fd = fdOf(open(kernel, SW_CPU_CLOCK));
    const until = Date.now() + 5;
    while (Date.now() < until) { /* spin */ }
    assert.ok(readOne(kernel, fd, 0n).values[0]!.value >= 4_000_000n);
  });
});
