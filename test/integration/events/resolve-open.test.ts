/**
 * Event names on this machine's kernel: resolve, encode, open through the
 * real Kernel seam, and close. Asserts what the kernel answers, classified
 * the way the capability map does — these tests must hold with and without
 * a hardware PMU.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import koffi from 'koffi';
import { resolveEvent, listEvents, ResolvedEvent } from '../../../src/events';
import { realKernel } from '../../../src/sys/real-kernel';
import { isErr } from '../../../src/sys/kernel';
import { encodeAttr } from '../../../src/abi/attr-codec';
import { PERF_FLAG, PERF_TYPE } from '../../../src/abi/constants';
import { errnoName } from '../../../src/abi/errno';
import { attrSizeFor } from '../../../src/events/open-status';
import { statusOfErrno } from '../../../src/model/errno-class';
import { listPmuNames, readPmuFiles } from '../../../src/env/pmus';
import { findTracefs } from '../../../src/env/tracefs';
import { leakedPerfFds, openFds } from '../../helpers/fds';

const k = realKernel();

type Opened = { fd: number } | { errno: number; name: string };

/** Open for this task on any CPU; user space only unless `kernelToo`. */
function open(ev: ResolvedEvent, kernelToo = false): Opened {
  const attr = kernelToo ? ev.attr : { exclude_kernel: 1, exclude_hv: 1, ...ev.attr };
  const r = k.perfEventOpen(encodeAttr(attr, { size: attrSizeFor(attr) }), 0, -1, -1, PERF_FLAG.FD_CLOEXEC);
  return isErr(r) ? { errno: r.errno, name: errnoName(r.errno) } : { fd: r.fd };
}

function closeIf(o: Opened): void {
  if ('fd' in o) assert.deepEqual(k.close(o.fd), { ok: true });
}

function readCount(fd: number): bigint {
  const buf = Buffer.alloc(8);
  assert.deepEqual(k.read(fd, buf), { bytes: 8 });
  return buf.readBigUInt64LE(0);
}

function hasCorePmu(): boolean {
  return listPmuNames().some((n) => n === 'cpu' || n === 'cpum_cf' || readPmuFiles(n)?.cpus !== undefined);
}

describe('events on this kernel: resolve and open', () => {
  let before: Map<string, string>;
  beforeEach(() => { before = openFds(); });
  afterEach(() => { assert.deepEqual(leakedPerfFds(before), [], 'perf fds left open'); });

  it('task-clock resolves to the software event, opens, and counts', () => {
    const ev = resolveEvent('task-clock');
    assert.deepEqual(ev.attr, { type: PERF_TYPE.SOFTWARE, config: 1n });
    const o = open(ev);
    try {
      assert.ok('fd' in o, `task-clock did not open: ${'name' in o ? o.name : ''}`);
      let x = 0;
      for (let i = 0; i < 2e6; i++) x += i;
      assert.ok(x > 0);
      assert.ok(readCount(o.fd) > 0n, 'task-clock counted nothing while this thread ran');
    } finally {
      closeIf(o);
    }
  });

  it('msr/tsc/ resolves from sysfs and opens (when this machine has the msr PMU)', function () {
    const msr = readPmuFiles('msr');
    if (!msr || msr.aliases.tsc === undefined) this.skip();
    const ev = resolveEvent('msr/tsc/');
    assert.equal(ev.pmu, 'msr');
    assert.equal(ev.attr.type, msr!.type);
    // The msr PMU cannot exclude privilege levels (EINVAL with exclude_*), so
    // it counts everything — which paranoid > 1 denies to an unprivileged caller.
    const o = open(ev, true);
    try {
      if ('errno' in o && process.geteuid?.() !== 0) {
        assert.equal(statusOfErrno(o.errno), 'denied', `msr/tsc/ as a user: ${o.name}`);
        return;
      }
      assert.ok('fd' in o, `msr/tsc/ did not open: ${'name' in o ? o.name : ''}`);
      assert.ok(readCount(o.fd) > 0n, 'the TSC did not advance');
    } finally {
      closeIf(o);
    }
  });

  it('sched:sched_switch resolves from tracefs and opens (root)', function () {
    if (process.geteuid?.() !== 0) this.skip();
    let mounted: string | undefined;
    try {
      let tracefsRoot: string | undefined;
      if (!findTracefs().ok) {
        // Not mounted here: mount a private instance for the test, and remove it after.
        mounted = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcompat-tracefs-'));
        execFileSync('mount', ['-t', 'tracefs', 'nodev', mounted]);
        tracefsRoot = mounted;
      }
      const ev = resolveEvent('sched:sched_switch', tracefsRoot ? { tracefsRoot } : {});
      assert.equal(ev.attr.type, PERF_TYPE.TRACEPOINT);
      const root = tracefsRoot ?? (findTracefs() as { root: string }).root;
      assert.equal(ev.attr.config, BigInt(fs.readFileSync(path.join(root, 'events/sched/sched_switch/id'), 'utf8').trim()));
      const o = open(ev, true);
      try {
        assert.ok('fd' in o, `sched:sched_switch did not open as root: ${'name' in o ? o.name : ''}`);
      } finally {
        closeIf(o);
      }
    } finally {
      if (mounted) {
        try { execFileSync('umount', [mounted]); } finally { fs.rmdirSync(mounted); }
      }
    }
  });

  it('a breakpoint on a variable: the kernel either counts writes to it or says why not', () => {
    const variable = koffi.alloc('int', 1);
    try {
      const addr = koffi.address(variable) as bigint;
      const ev = resolveEvent(`mem:0x${addr.toString(16)}/4:w:u`);
      assert.equal(ev.attr.type, PERF_TYPE.BREAKPOINT);
      assert.equal(ev.attr.bp_addr, addr);
      const o = open(ev);
      try {
        if ('fd' in o) {
          for (let i = 0; i < 5; i++) koffi.encode(variable, 'int', i);
          assert.ok(readCount(o.fd) >= 5n, 'the breakpoint opened but did not count 5 writes');
        } else {
          // No debug registers for us (VM without them, all slots taken, or not permitted): a known answer, not a crash.
          assert.ok(['ENOSPC', 'ENODEV', 'ENOENT', 'EOPNOTSUPP', 'EINVAL', 'EACCES', 'EPERM'].includes(o.name), `unexpected ${o.name}`);
        }
      } finally {
        closeIf(o);
      }
    } finally {
      koffi.free(variable);
    }
  });

  it('cycles resolves; the open says no-hardware when sysfs has no core PMU', () => {
    const ev = resolveEvent('cycles');
    assert.equal(ev.attr.type, PERF_TYPE.HARDWARE);
    assert.equal(BigInt(ev.attr.config!) & 0xffffffffn, 0n);
    const o = open(ev);
    try {
      if (!hasCorePmu()) {
        assert.ok('errno' in o, 'cycles opened on a machine whose sysfs has no core PMU');
        assert.equal(statusOfErrno(o.errno), 'no-hardware', `cycles: ${o.name}`);
      } else if ('errno' in o) {
        assert.notEqual(statusOfErrno(o.errno), 'unsupported', `cycles with a core PMU: ${o.name}`);
      }
    } finally {
      closeIf(o);
    }
  });

  it('listEvents with the real kernel classifies what opens here and leaks nothing', () => {
    const list = listEvents({ kernel: k, pattern: '*-c*' });
    const by = (n: string) => list.find((e) => e.name === n);
    assert.equal(by('task-clock')?.status, 'supported');
    assert.equal(by('cpu-clock')?.status, 'supported');
    const cycles = by('cpu-cycles') ?? listEvents({ kernel: k, pattern: 'cycles' }).find((e) => e.name === 'cycles');
    assert.ok(cycles?.status);
    if (!hasCorePmu()) assert.equal(listEvents({ kernel: k, pattern: 'cycles' }).find((e) => e.name === 'cycles')?.status, 'no-hardware');
  });
});
