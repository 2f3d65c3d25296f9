/**
 * The perf ioctls on a simulated fd (perf_ioctl / _perf_ioctl in
 * kernel/events/core.c), by the name the arch's request number has:
 * ENOTTY for one the persona's kernel does not have; ENABLE, DISABLE,
 * RESET and REFRESH on the event or (PERF_IOC_FLAG_GROUP) its group;
 * PERIOD, SET_OUTPUT, SET_FILTER, ID, SET_BPF, PAUSE_OUTPUT, QUERY_BPF and
 * MODIFY_ATTRIBUTES (breakpoints only, the attr through perf_copy_attr).
 */
import { DecodedAttr, PERF_IOC_FLAG_GROUP } from '../../src/abi';
import type { IoctlArg, NumResult } from '../../src/sys/kernel';
import { SimEvent, groupOf } from './sim-event';
import { err, OpenError } from './sim-errors';
import type { SimState } from './sim-state';
import { advance } from './sim-time';

/** Do the ioctl `request` (named by `ioctlByRequest`) on fd. */
export function simIoctl(s: SimState, ioctlByRequest: ReadonlyMap<number, string>, fd: number, request: number, arg: IoctlArg): NumResult {
  const ev = s.events.get(fd);
  if (!ev) return err('EBADF');
  const name = ioctlByRequest.get(request);
  if (!name || !s.persona.features.has(`ioctl.${name}`)) return err('ENOTTY');
  const intArg = typeof arg === 'number' ? arg : typeof arg === 'bigint' ? Number(arg) : undefined;
  const targets = (): SimEvent[] => (intArg !== undefined && (intArg & PERF_IOC_FLAG_GROUP) ? groupOf(ev) : [ev]);
  const ok = { value: 0 };
  switch (name) {
    case 'enable':
      for (const e of targets()) { e.enabled = true; e.enableOnExec = false; e.errorState = false; }
      // Schedule-in: the event gets its counter and its control page is brought up to date (perf_event_update_userpage).
      advance(s, 0);
      return ok;
    case 'disable':
      for (const e of targets()) e.enabled = false;
      return ok;
    case 'reset':
      if (!s.persona.quirks.resetNoop) for (const e of targets()) e.count = 0;
      return ok;
    case 'refresh':
      if (ev.attr.inherit === 1 || ev.samplePeriod === 0n) return err('EINVAL');
      ev.refreshLimit = (ev.refreshLimit ?? 0) + (intArg ?? 0);
      ev.enabled = true;
      return ok;
    case 'period': {
      if (!(arg instanceof Uint8Array) || arg.byteLength < 8) return err('EFAULT');
      const v = new DataView(arg.buffer, arg.byteOffset, 8).getBigUint64(0, true);
      if (ev.samplePeriod === 0n && ev.attr.freq !== 1) return err('EINVAL');
      if (v === 0n) return err('EINVAL');
      if (ev.attr.freq === 1 && v > BigInt(s.persona.maxSampleRate)) return err('EINVAL');
      if (ev.attr.freq !== 1 && (v & (1n << 63n))) return err('EINVAL');
      if (ev.attr.freq === 1) ev.attr.sample_freq = v; else { ev.attr.sample_period = v; ev.samplePeriod = v; }
      return ok;
    }
    case 'set_output': {
      if (intArg === undefined) return err('EFAULT');
      if (intArg === -1 || intArg === 0xffffffff) { delete ev.outputTo; return ok; }
      const target = s.events.get(intArg);
      if (!target) return err('EBADF');
      if (target === ev) return ok;
      if (target.cpu !== ev.cpu || (ev.ring && ev.ring.dataPages > 0)) return err('EINVAL');
      ev.outputTo = intArg;
      return ok;
    }
    case 'set_filter': {
      if (!(arg instanceof Uint8Array)) return err('EFAULT');
      if (ev.kind !== 'tracepoint') return err('EINVAL');
      const end = arg.indexOf(0);
      ev.filter = Buffer.from(arg.subarray(0, end < 0 ? arg.byteLength : end)).toString('utf8');
      return ok;
    }
    case 'id': {
      if (!(arg instanceof Uint8Array) || arg.byteLength < 8) return err('EFAULT');
      new DataView(arg.buffer, arg.byteOffset, 8).setBigUint64(0, ev.id, true);
      return ok;
    }
    case 'set_bpf':
      // The simulated machine has no BPF programs: every prog fd is bad.
      return err('EBADF');
    case 'pause_output':
      if (!ev.ring || ev.ring.dataPages === 0) return err('EINVAL');
      ev.ring.paused = (intArg ?? 0) !== 0;
      return ok;
    case 'query_bpf': {
      if (ev.kind !== 'tracepoint') return err('EINVAL');
      if (!(arg instanceof Uint8Array) || arg.byteLength < 8) return err('EFAULT');
      new DataView(arg.buffer, arg.byteOffset, 8).setUint32(4, 0, true);
      return ok;
    }
    case 'modify_attributes': {
      if (!(arg instanceof Uint8Array) || arg.byteLength < 8) return err('EFAULT');
      let next: DecodedAttr;
      try {
        next = s.self.copyAttr(arg);
      } catch (e) {
        if (e instanceof OpenError) return { errno: e.errno };
        throw e;
      }
      if (Number(next.type) !== Number(ev.attr.type)) return err('EINVAL');
      if (ev.kind !== 'breakpoint') return err('EOPNOTSUPP');
      ev.attr.config1 = next.config1 ?? 0n;
      return ok;
    }
  }
  return err('ENOTTY');
}
