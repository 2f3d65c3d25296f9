/**
 * perf_event_open on the simulated kernel, once the seam's arguments are
 * checked: seccomp, Debian's paranoid 3, open flags, perf_copy_attr
 * (sim-attr.ts), permission for the kernel, sample rate, fd under
 * RLIMIT_NOFILE, group fd, task, PMU init (sim-init-event.ts), CPU-wide
 * permission, group constraints (validate_group), AUX and clock rules, then
 * the new event in the fd table. The order of checks follows
 * kernel/events/core.c; a refusal is thrown as an OpenError (sim-errors.ts).
 */
import { OPEN_FLAGS, PERF_FLAG, PERF_FORMAT, PERF_SAMPLE } from '../../src/abi';
import { corePmus, Persona } from './persona';
import { auxRefusal, clockRefusal } from './sim-drivers';
import { SimEvent, groupOf } from './sim-event';
import { CounterMap } from './sim-counters';
import { big } from './sim-attr';
import { fail } from './sim-errors';
import { initEvent } from './sim-init-event';
import { allowCpu, allowKernel, privileged } from './sim-permissions';
import type { SimState } from './sim-state';

/** Open the event `bytes` describes and return its fd. */
export function simOpen(s: SimState, bytes: Uint8Array, pid: number, cpu: number, groupFd: number, flags: number): number {
  const p = s.persona;
  if (p.seccomp && (p.seccompFlags === undefined || (flags & p.seccompFlags) !== 0)) fail(p.seccomp);
  // Debian's perf_event_paranoid 3: no perf_event_open at all without CAP_SYS_ADMIN.
  if (p.paranoid >= 3 && !p.caps.sysAdmin) fail('EACCES');
  let knownOpenFlags = 0;
  for (const f of OPEN_FLAGS) if (p.features.has(`open_flags.${f.name}`)) knownOpenFlags |= 1 << f.bit;
  if (p.features.has('check.open_flags') && (flags & ~knownOpenFlags) !== 0) fail('EINVAL');
  const attr = s.self.copyAttr(bytes);
  const sampleType = big(attr.sample_type);
  const readFormat = big(attr.read_format);

  if (attr.exclude_kernel !== 1 && !allowKernel(p)) fail('EACCES');
  if (attr.namespaces === 1 && !privileged(p)) fail('EACCES');
  if (attr.freq === 1) {
    if (big(attr.sample_freq) > BigInt(p.maxSampleRate)) fail('EINVAL');
  } else if (big(attr.sample_period) & (1n << 63n)) fail('EINVAL');
  if ((sampleType & PERF_SAMPLE.PHYS_ADDR!) && !allowKernel(p)) fail('EACCES');
  if ((sampleType & PERF_SAMPLE.REGS_INTR!) && !allowKernel(p)) fail('EACCES');
  const cgroup = (flags & PERF_FLAG.PID_CGROUP) !== 0 && p.features.has('open_flags.pid_cgroup');
  if (cgroup && (pid === -1 || cpu === -1)) fail('EINVAL');

  // get_unused_fd_flags
  const fd = lowestFreeFd(s);
  if (fd < 0) fail('EMFILE');

  let leader: SimEvent | undefined;
  if (groupFd !== -1) {
    leader = s.events.get(groupFd);
    if (!leader) fail('EBADF');
  }
  const output = (flags & PERF_FLAG.FD_OUTPUT) !== 0 && leader ? leader : undefined;
  if ((flags & PERF_FLAG.FD_NO_GROUP) !== 0) leader = undefined;

  if (cgroup) fail('EBADF'); // the simulated machine has no cgroup fds to offer
  if (pid < -1) fail('ESRCH');
  if (pid !== -1 && pid !== 0 && pid !== process.pid && pid > 4194304) fail('ESRCH');

  // perf_event_alloc
  if (cpu < -1 || cpu >= p.cpus) fail('EINVAL');
  if (pid === -1 && cpu === -1) fail('EINVAL');
  if (attr.inherit === 1 && (readFormat & PERF_FORMAT.GROUP) && p.features.has('check.inherit_group_read')) fail('EINVAL');
  if (attr.inherit === 1 && (sampleType & PERF_SAMPLE.READ!)) {
    if (p.features.has('check.inherit_sample_read')) fail('EINVAL');
    if (p.features.has('check.inherit_sample_read_tid') && !(sampleType & PERF_SAMPLE.TID!)) fail('EINVAL');
  }
  const { kind, eventName, pmu, userRead } = initEvent(p, attr, pid, cpu);

  // find_get_context: CPU-wide events need permission.
  if (pid === -1 && !allowCpu(p)) fail('EACCES');

  if (leader) {
    if (leader.leader !== leader) fail('EINVAL');
    if (leader.cpu !== cpu) fail('EINVAL');
    if (kind === 'hardware' || kind === 'hw_cache' || kind === 'raw') validateGroup(p, leader, pmu, { attr, eventName, userRead });
  }
  const auxErr = auxRefusal(p, attr, pmu, leader?.pmu);
  if (auxErr) fail(auxErr);
  const clockErr = clockRefusal(attr, kind === 'software');
  if (clockErr) fail(clockErr);
  if ((sampleType & PERF_SAMPLE.AUX!) && !leader) fail('EINVAL');
  if (kind === 'breakpoint') {
    if (s.breakpointsInUse >= p.breakpointSlots) fail('ENOSPC');
    s.breakpointsInUse++;
  }

  const wantsCloexec = (flags & PERF_FLAG.FD_CLOEXEC) !== 0;
  const ev: SimEvent = {
    fd, id: s.nextId++, attr, kind, eventName, pmu, pid, cpu,
    leader: undefined as unknown as SimEvent, siblings: [],
    enabled: attr.disabled !== 1 && attr.enable_on_exec !== 1,
    enableOnExec: attr.enable_on_exec === 1 && attr.disabled === 1,
    errorState: false, count: 0, timeEnabled: 0, timeRunning: 0, sinceSample: 0, lostSamples: 0,
    samplePeriod: attr.freq === 1 ? 1n : big(attr.sample_period),
    // Like the real seam: only PERF_FLAG_FD_CLOEXEC makes the fd close-on-exec
    // (fcntl can later); a kernel that ignores unknown flags leaves it inheritable.
    cloexec: wantsCloexec && p.features.has('open_flags.fd_cloexec'),
    ...(userRead ? { userRead: true } : {}),
  };
  ev.leader = leader ?? ev;
  if (leader) leader.siblings.push(ev);
  if (output) ev.outputTo = output.fd;
  s.events.set(fd, ev);
  return fd;
}

function lowestFreeFd(s: SimState): number {
  const limit = s.persona.rlimitNofile;
  let fd = Math.max(3, s.extraFds);
  while (s.events.has(fd)) fd++;
  return fd < limit ? fd : -1;
}

/**
 * validate_group: a hardware group that can never fit its PMU, or that mixes
 * core PMUs, is refused. The members are put on an empty PMU's counters
 * (arm_pmu's validate_group on a fake used_mask); with groupValidation
 * 'enabled', members that are OFF are skipped (validate_event).
 */
function validateGroup(p: Persona, leader: SimEvent, pmuName: string, next: Pick<SimEvent, 'attr' | 'eventName' | 'userRead'>): void {
  const cores = corePmus(p);
  const pmu = cores.find((c) => c.name === pmuName);
  if (!pmu) return;
  const members = groupOf(leader);
  if (members.some((e) => e.pmu !== pmuName && cores.some((c) => c.name === e.pmu))) fail('EINVAL');
  const onlyEnabled = pmu.groupValidation === 'enabled';
  const nextOff = next.attr.disabled === 1 && next.attr.enable_on_exec !== 1;
  const counted = members.filter((e) => e.pmu === pmuName && (!onlyEnabled || e.enabled || e.enableOnExec)) as Pick<SimEvent, 'attr' | 'eventName' | 'userRead'>[];
  if (!onlyEnabled || !nextOff) counted.push(next);
  if (!new CounterMap(pmu).takeAll(counted as SimEvent[])) fail('EINVAL');
}
