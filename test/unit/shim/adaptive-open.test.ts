/**
 * openEvent's adaptations outside the fallback table: attr size, the
 * close-on-exec path, precise_ip, kernel exclusion, exclude_guest per PMU,
 * hardware events without a PMU (error, or a software stand-in by policy),
 * strict policy, and the error when the kernel still refuses.
 */
import assert from 'node:assert/strict';
import { PerfcompatError } from '../../../src/errors';
import { F_SETFD, FD_CLOEXEC } from '../../../src/abi/ioctl';
import { PERF_FLAG } from '../../../src/abi/constants';
import { openEvent } from '../../../src/shim/perf-event';
import { SOFTWARE_STANDINS } from '../../../src/shim/software-standins';
import { mapWith, noHardware, sentAttr, stubKernel, supported, unsupported } from './shim-fixtures';

const CYCLES = { type: 0, config: 0, name: 'cycles' };
const TASK_CLOCK = { type: 1, config: 1, name: 'task-clock' };

function err(fn: () => unknown): PerfcompatError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof PerfcompatError, `a PerfcompatError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

describe('shim/openEvent adaptations', () => {
  describe('attr size', () => {
    it('encodes at the size the map says the kernel accepts', () => {
      for (const size of [64, 96, 112, 136]) {
        const k = stubKernel();
        openEvent(TASK_CLOCK, { kernel: k, capabilities: mapWith({ 'attr.size': supported(size) }) }).close();
        const bytes = k.perfEventOpen.firstCall.args[0] as Uint8Array;
        assert.equal(bytes.byteLength, size);
        assert.equal(sentAttr(k).size, size);
      }
    });

    it('names the field that lies beyond it, before any syscall', () => {
      const k = stubKernel();
      const e = err(() => openEvent({ ...TASK_CLOCK, sig_data: 5 }, { kernel: k, capabilities: mapWith({ 'attr.size': supported(112) }) }));
      assert.equal(e.code, 'ERR_ATTR_BEYOND_SIZE');
      assert.match(e.message, /sig_data/);
      assert.match(e.message, /112/);
      assert.equal(k.perfEventOpen.callCount, 0);
    });
  });

  describe('close-on-exec', () => {
    it('passes PERF_FLAG_FD_CLOEXEC where the map says it works, with no fcntl', () => {
      const k = stubKernel();
      const ev = openEvent(TASK_CLOCK, { kernel: k, capabilities: mapWith() });
      assert.equal(k.perfEventOpen.firstCall.args[4] & PERF_FLAG.FD_CLOEXEC, PERF_FLAG.FD_CLOEXEC);
      assert.equal(k.fcntl.callCount, 0);
      assert.deepEqual(ev.adaptations, []);
    });

    it('sets FD_CLOEXEC with fcntl where the flag is unknown, and strict policy allows that', () => {
      const k = stubKernel();
      const ev = openEvent(TASK_CLOCK, { kernel: k, capabilities: mapWith({ 'open_flags.fd_cloexec': unsupported() }), policy: { strict: true } });
      assert.equal(k.perfEventOpen.firstCall.args[4] & PERF_FLAG.FD_CLOEXEC, 0);
      const setfd = k.fcntl.getCalls().find((c) => c.args[1] === F_SETFD);
      assert.ok(setfd, 'F_SETFD called');
      assert.equal(setfd.args[0], ev.fd);
      assert.equal(setfd.args[2] & FD_CLOEXEC, FD_CLOEXEC);
      assert.equal(ev.adaptations.length, 1);
      assert.equal(ev.adaptations[0]!.featureId, 'open_flags.fd_cloexec');
      assert.equal(ev.adaptations[0]!.changesMeasurement, false);
    });

    it('takes the fcntl path where the map says open_flags.fd_cloexec is denied (issue 16)', () => {
      const k = stubKernel();
      const ev = openEvent(TASK_CLOCK, { kernel: k, capabilities: mapWith({ 'open_flags.fd_cloexec': { status: 'denied', errno: 1, errnoName: 'EPERM' } }) });
      assert.equal(k.perfEventOpen.firstCall.args[4] & PERF_FLAG.FD_CLOEXEC, 0);
      const setfd = k.fcntl.getCalls().find((c) => c.args[1] === F_SETFD);
      assert.ok(setfd, 'F_SETFD called');
      assert.equal(setfd.args[0], ev.fd);
      assert.equal(setfd.args[2] & FD_CLOEXEC, FD_CLOEXEC);
    });

    it('closes the fd when fcntl fails', () => {
      const k = stubKernel();
      k.fcntl.returns({ errno: 9 });
      const e = err(() => openEvent(TASK_CLOCK, { kernel: k, capabilities: mapWith({ 'open_flags.fd_cloexec': unsupported() }) }));
      assert.equal(e.code, 'ERR_KERNEL');
      assert.equal(k.close.callCount, 1);
      assert.equal(k.close.firstCall.args[0], k.perfEventOpen.firstCall.returnValue.fd);
    });
  });

  describe('precise_ip', () => {
    const pmuMap = (max: number) => mapWith({ 'event.hardware.cpu_cycles': supported(), 'combo.precise_ip': supported(max) });

    it('is lowered to the highest level that opens, and recorded', () => {
      const k = stubKernel();
      const ev = openEvent({ ...CYCLES, precise_ip: 3 }, { kernel: k, capabilities: pmuMap(1) });
      assert.equal(sentAttr(k).precise_ip, 1);
      assert.equal(ev.adaptations[0]!.featureId, 'combo.precise_ip');
    });

    it('is left alone when the level asked for opens', () => {
      const k = stubKernel();
      const ev = openEvent({ ...CYCLES, precise_ip: 2 }, { kernel: k, capabilities: pmuMap(3) });
      assert.equal(sentAttr(k).precise_ip, 2);
      assert.deepEqual(ev.adaptations, []);
    });

    it('goes to 0 only when the policy allows it', () => {
      const k = stubKernel();
      const e = err(() => openEvent({ ...CYCLES, precise_ip: 2 }, { kernel: k, capabilities: pmuMap(0) }));
      assert.equal(e.code, 'ERR_ADAPTATION_REFUSED');
      assert.match(e.message, /allowPreciseDowngrade/);
      openEvent({ ...CYCLES, precise_ip: 2 }, { kernel: k, capabilities: pmuMap(0), policy: { allowPreciseDowngrade: true } });
      assert.equal(sentAttr(k, 0).precise_ip, 0);
    });

    it('is refused by a strict policy', () => {
      const e = err(() => openEvent({ ...CYCLES, precise_ip: 3 }, { kernel: stubKernel(), capabilities: pmuMap(2), policy: { strict: true } }));
      assert.equal(e.code, 'ERR_ADAPTATION_REFUSED');
      assert.match(e.message, /precise_ip lowered from 3 to 2/);
    });
  });

  describe('kernel counting denied', () => {
    it('sets exclude_kernel and exclude_hv, saying why', () => {
      const k = stubKernel();
      const ev = openEvent(TASK_CLOCK, { kernel: k, capabilities: mapWith({ 'access.kernel': { status: 'denied', errno: 13, errnoName: 'EACCES' } }) });
      const a = sentAttr(k);
      assert.equal(a.exclude_kernel, 1);
      assert.equal(a.exclude_hv, 1);
      assert.equal(ev.adaptations[0]!.featureId, 'access.kernel');
      assert.match(ev.adaptations[0]!.why, /paranoid 2/);
    });

    it('refuses an event that counts only kernel space, instead of counting nothing', () => {
      const k = stubKernel();
      const e = err(() => openEvent({ ...TASK_CLOCK, exclude_user: 1 }, { kernel: k, capabilities: mapWith({ 'access.kernel': { status: 'denied', errno: 13, errnoName: 'EACCES' } }) }));
      assert.equal(e.code, 'ERR_KERNEL');
      assert.equal(e.errnoName, 'EACCES');
      assert.match(e.message, /kernel space only/);
      assert.equal(k.perfEventOpen.callCount, 0);
    });

    it('leaves them alone where kernel counting is allowed', () => {
      const k = stubKernel();
      openEvent(TASK_CLOCK, { kernel: k, capabilities: mapWith({ 'access.kernel': supported() }) });
      assert.equal(sentAttr(k).exclude_kernel, 0);
      assert.equal(sentAttr(k).exclude_hv, 0);
    });
  });

  describe('exclude_guest per PMU', () => {
    it('is cleared on core-PMU events where the PMU refuses it', () => {
      const k = stubKernel();
      const ev = openEvent({ ...CYCLES, exclude_guest: 1 }, { kernel: k, capabilities: mapWith({ 'combo.exclude_guest': { status: 'unsupported', errno: 95, errnoName: 'EOPNOTSUPP' } }) });
      assert.equal(sentAttr(k).exclude_guest, 0);
      assert.equal(ev.adaptations[0]!.errnoName, 'EOPNOTSUPP');
    });

    it('is set on core-PMU events where the PMU requires it, and not on software events', () => {
      const map = mapWith({ 'combo.exclude_guest': supported('required') });
      const k = stubKernel();
      openEvent(CYCLES, { kernel: k, capabilities: map });
      assert.equal(sentAttr(k).exclude_guest, 1);
      openEvent(TASK_CLOCK, { kernel: k, capabilities: map });
      assert.equal(sentAttr(k, 1).exclude_guest, 0);
    });

    it('is passed as asked when the PMU takes it', () => {
      const k = stubKernel();
      const ev = openEvent({ ...CYCLES, exclude_guest: 1 }, { kernel: k, capabilities: mapWith({ 'combo.exclude_guest': supported() }) });
      assert.equal(sentAttr(k).exclude_guest, 1);
      assert.deepEqual(ev.adaptations, []);
    });
  });

  describe('hardware events without a PMU', () => {
    const noPmu = mapWith({ 'event.hardware.cpu_cycles': noHardware(), 'event.hardware.instructions': noHardware(), 'event.hardware.cache_misses': noHardware() });

    it('fail clearly by default, before any syscall', () => {
      const k = stubKernel();
      const e = err(() => openEvent(CYCLES, { kernel: k, capabilities: noPmu }));
      assert.equal(e.code, 'ERR_KERNEL');
      assert.equal(e.errnoName, 'ENOENT');
      assert.match(e.message, /cycles/);
      assert.match(e.message, /PMUs here: software, tracepoint, cpu/);
      assert.match(e.message, /fallback: 'software'/);
      assert.equal(k.perfEventOpen.callCount, 0);
    });

    it('count the documented stand-in with fallback: software, marked substitutedFrom', () => {
      for (const [spec, sw] of [[CYCLES, 0], [{ type: 0, config: 1, name: 'instructions' }, 1]] as const) {
        const k = stubKernel();
        const ev = openEvent(spec, { kernel: k, capabilities: noPmu, policy: { fallback: 'software' } });
        assert.equal(sentAttr(k).type, 1);
        assert.equal(sentAttr(k).config, BigInt(sw));
        assert.equal(ev.substitutedFrom, spec.name);
        assert.equal(ev.name, SOFTWARE_STANDINS.find((s) => s.label === ev.name)!.label);
        assert.equal(ev.unit, 'ns');
        assert.equal(ev.adaptations[0]!.featureId, spec.type === 0 && spec.config === 0 ? 'event.hardware.cpu_cycles' : 'event.hardware.instructions');
      }
    });

    it('have no stand-in for cache events, even with the fallback policy', () => {
      const e = err(() => openEvent({ type: 0, config: 3, name: 'cache-misses' }, { kernel: stubKernel(), capabilities: noPmu, policy: { fallback: 'software' } }));
      assert.equal(e.code, 'ERR_KERNEL');
      assert.match(e.message, /no software stand-in/);
    });

    it('are refused a stand-in by a strict policy, which names it', () => {
      const e = err(() => openEvent(CYCLES, { kernel: stubKernel(), capabilities: noPmu, policy: { fallback: 'software', strict: true } }));
      assert.equal(e.code, 'ERR_ADAPTATION_REFUSED');
      assert.match(e.message, /^cycles: strict policy/);
      assert.match(e.message, /cpu-clock/);
    });

    it('open as hardware where the map says the PMU has them', () => {
      const k = stubKernel();
      const ev = openEvent(CYCLES, { kernel: k, capabilities: mapWith({ 'event.hardware.cpu_cycles': supported() }), policy: { fallback: 'software' } });
      assert.equal(sentAttr(k).type, 0);
      assert.equal(ev.substitutedFrom, undefined);
    });

    it('fall back on the kernel\'s ENOENT when the map had no answer and the policy asks', () => {
      const k = stubKernel();
      k.perfEventOpen.onFirstCall().returns({ errno: 2 });
      const ev = openEvent(CYCLES, { kernel: k, capabilities: mapWith(), policy: { fallback: 'software' } });
      assert.equal(k.perfEventOpen.callCount, 2);
      assert.equal(sentAttr(k, 1).type, 1);
      assert.equal(ev.substitutedFrom, 'cycles');
    });
  });

  describe('when the kernel still refuses', () => {
    it('names the event, the errno and the paranoid level for EACCES', () => {
      const k = stubKernel();
      k.perfEventOpen.returns({ errno: 13 });
      const e = err(() => openEvent(TASK_CLOCK, { kernel: k, capabilities: mapWith({}, { paranoid: 3 }), pid: -1, cpu: 0 }));
      assert.equal(e.code, 'ERR_KERNEL');
      assert.equal(e.errnoName, 'EACCES');
      assert.match(e.message, /task-clock/);
      assert.match(e.message, /perf_event_paranoid is 3/);
      assert.match(e.message, /CPU-wide/);
    });

    it('points at seccomp for EPERM under a filter, and at the fd limit for EMFILE', () => {
      const k = stubKernel();
      k.perfEventOpen.returns({ errno: 1 });
      assert.match(err(() => openEvent(TASK_CLOCK, { kernel: k, capabilities: mapWith({}, { seccomp: { mode: 2, filters: 1 } }) })).message, /seccomp/);
      k.perfEventOpen.returns({ errno: 24 });
      assert.match(err(() => openEvent(TASK_CLOCK, { kernel: k, capabilities: mapWith() })).message, /file descriptors.*ulimit -n/);
    });

    it('names the missing PMU for ENOENT on an event the map did not know', () => {
      const k = stubKernel();
      k.perfEventOpen.returns({ errno: 2 });
      const e = err(() => openEvent({ type: 42, config: 7 }, { kernel: k, capabilities: mapWith() }));
      assert.match(e.message, /type 42 config 0x7/);
      assert.match(e.message, /PMUs: software, tracepoint, cpu/);
    });
  });

  describe('PerfEvent lifetime', () => {
    it('close() is idempotent and use after close throws ERR_CLOSED', () => {
      const k = stubKernel();
      const ev = openEvent(TASK_CLOCK, { kernel: k, capabilities: mapWith() });
      ev.close();
      ev.close();
      assert.equal(k.close.callCount, 1);
      for (const op of [() => ev.readCount(), () => ev.enable(), () => ev.disable(), () => ev.reset(), () => ev.read()]) {
        assert.equal(err(op).code, 'ERR_CLOSED');
      }
    });

    it('refuses a closed group leader', () => {
      const k = stubKernel();
      const leader = openEvent(TASK_CLOCK, { kernel: k, capabilities: mapWith() });
      leader.close();
      assert.equal(err(() => openEvent(TASK_CLOCK, { kernel: k, capabilities: mapWith(), group: leader })).code, 'ERR_CLOSED');
    });

    it('readCount scales a multiplexed count by enabled/running', () => {
      const k = stubKernel();
      const ev = openEvent(TASK_CLOCK, { kernel: k, capabilities: mapWith() });
      k.read.callsFake((_fd: number, buf: Uint8Array) => {
        const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
        dv.setBigUint64(0, 1000n, true);
        dv.setBigUint64(8, 400n, true);
        dv.setBigUint64(16, 100n, true);
        return { bytes: 24 };
      });
      const c = ev.readCount();
      assert.equal(c.value, 1000n);
      assert.equal(c.scaled, 4000n);
      assert.equal(c.multiplexed, true);
      assert.equal(c.counted, true);
    });
  });
});
