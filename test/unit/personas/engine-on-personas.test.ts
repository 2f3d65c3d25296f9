/**
 * The whole probe engine on every simulated persona: the map must agree with
 * the persona's feature set (a feature it has is never `unsupported`, one it
 * lacks is never `supported`), vendor personas carry their anomaly
 * annotations, nothing leaks an fd, and the refusals name their cause.
 */
import assert from 'node:assert/strict';
import { ABI_FEATURES, ERRNO } from '../../../src/abi';
import { getCapabilities } from '../../../src/root';
import type { CapabilityMap } from '../../../src/model/capability-map';
import { PerfcompatError } from '../../../src/errors';
import { simulate, personaNames, loadPersona, MAINLINE_PERSONAS, SimKernel } from '../../sim';

const UNAVAILABLE = new Set(['seccomp-eperm', 'seccomp-enosys', 'paranoid3-user']);
const maps = new Map<string, { map: CapabilityMap; kernel: SimKernel }>();

function mapOf(name: string): { map: CapabilityMap; kernel: SimKernel } {
  let m = maps.get(name);
  if (!m) {
    const sim = simulate(name);
    m = { map: getCapabilities(sim), kernel: sim.kernel };
    maps.set(name, m);
  }
  return m;
}

/** ABI ids that need more than the kernel's knowledge: a PMU with branch stacks or AUX, or privilege. */
function pmuDependent(id: string): boolean {
  return id.startsWith('branch_sample_type.') || id === 'sample_type.branch_stack' || id === 'sample_type.aux'
    || id === 'attr.aux_output' || id.startsWith('attr.aux_') || id === 'attr.aux_sample_size' || id === 'attr.aux_watermark'
    || id === 'attr.precise_ip' || id === 'sample_type.weight_struct';
}

describe('engine on simulated personas', function () {
  this.timeout(120_000);

  for (const name of personaNames().filter((n) => !UNAVAILABLE.has(n))) {
    describe(name, () => {
      it('never says unsupported for a feature the kernel has, nor supported for one it lacks', () => {
        const persona = loadPersona(name);
        const { map } = mapOf(name);
        const wrong: string[] = [];
        for (const f of ABI_FEATURES) {
          const e = map.features[f.id];
          if (!e) continue;
          if (f.id === 'attr.size') continue;
          const has = persona.features.has(f.id);
          if (has && e.status === 'unsupported') wrong.push(`${f.id}: unsupported (${e.reason ?? ''}) but the kernel has it`);
          if (!has && e.status === 'supported' && !pmuDependent(f.id)) wrong.push(`${f.id}: supported but the kernel lacks it`);
        }
        assert.deepEqual(wrong, []);
      });

      it('measures the attr size the kernel knows and leaves no fd open', () => {
        const persona = loadPersona(name);
        const { map, kernel } = mapOf(name);
        assert.equal(map.features['attr.size']?.value, persona.attrSize);
        assert.equal(kernel.openFdCount(), 0, `fds left open: ${kernel.openFds().join(', ')}`);
        assert.equal(map.kernel.release, persona.release);
        assert.equal(map.environment.paranoid, persona.paranoid);
      });

      it('answers hardware events by the PMU: no-hardware without one, supported with one', () => {
        const persona = loadPersona(name);
        const { map } = mapOf(name);
        const cycles = map.features['event.hardware.cpu_cycles']!;
        if (persona.pmu === null) {
          assert.equal(cycles.status, 'no-hardware');
          assert.equal(cycles.errno, ERRNO.ENOENT);
        } else {
          assert.equal(cycles.status, 'supported');
        }
      });
    });
  }

  it('mainline personas carry no anomaly annotation', () => {
    const found: string[] = [];
    for (const name of MAINLINE_PERSONAS) {
      for (const [id, e] of Object.entries(mapOf(name).map.features)) if (e.anomaly) found.push(`${name} ${id}: ${e.anomaly}`);
    }
    assert.deepEqual(found, []);
  });

  it('vendor backports are supported and annotated "backported"; compiled-out features "missing"', () => {
    for (const name of ['rhel7-backports', 'debian-5.10-lost']) {
      const persona = loadPersona(name);
      const { map } = mapOf(name);
      for (const id of persona.add.filter((a) => ABI_FEATURES.some((f) => f.id === a))) {
        assert.equal(map.features[id]?.status, 'supported', `${name} ${id}`);
        assert.equal(map.features[id]?.anomaly, 'backported', `${name} ${id}`);
      }
    }
    const { map } = mapOf('compiled-out-6.6');
    for (const id of loadPersona('compiled-out-6.6').remove) {
      assert.equal(map.features[id]?.status, 'unsupported', id);
      assert.equal(map.features[id]?.anomaly, 'missing', id);
    }
  });

  it('mmap capability bits a kernel does not define are unsupported, inferred from the page, never no-hardware', () => {
    for (const name of personaNames().filter((n) => !UNAVAILABLE.has(n))) {
      const persona = loadPersona(name);
      const { map } = mapOf(name);
      if (map.features['mmap.ring_buffer']?.status !== 'supported') continue;
      for (const id of ['mmap.cap_bit0_is_deprecated', 'mmap.cap_user_rdpmc', 'mmap.cap_user_time', 'mmap.cap_user_time_zero', 'mmap.cap_user_time_short']) {
        if (persona.features.has(id)) continue;
        assert.equal(map.features[id]?.status, 'unsupported', `${name} ${id}: ${map.features[id]?.status} (${map.features[id]?.reason ?? ''})`);
      }
    }
    const old = mapOf('mainline-3.10').map.features;
    assert.match(old['mmap.cap_bit0_is_deprecated']!.reason!, /3\.4–3\.11 capability layout/);
    assert.deepEqual(old['mmap.cap_user_time']!.needs, ['mmap.cap_bit0_is_deprecated']);
    const v419 = mapOf('mainline-4.19').map.features;
    assert.equal(v419['mmap.cap_user_time']!.status, 'supported');
    assert.match(v419['mmap.cap_user_time_short']!.reason!, /size field is \d+: it ends before time_cycles\/time_mask/);
  });

  it('mainline 3.10: FD_CLOEXEC accepted but ignored is unsupported; the size is 96', () => {
    const { map } = mapOf('mainline-3.10');
    assert.equal(map.features['open_flags.fd_cloexec']?.status, 'unsupported');
    assert.equal(map.features['attr.size']?.value, 96);
  });

  it('paranoid 2 unprivileged: kernel counting and CPU-wide are denied, never unsupported', () => {
    const { map } = mapOf('paranoid2-user');
    assert.equal(map.features['access.kernel']?.status, 'denied');
    assert.equal(map.features['access.cpu_wide']?.status, 'denied');
    for (const [id, e] of Object.entries(map.features)) {
      if (e.errno === ERRNO.EACCES || e.errno === ERRNO.EPERM) assert.equal(e.status, 'denied', id);
    }
  });

  it('NMI watchdog: the largest group that runs is one less than the counters', () => {
    assert.equal(mapOf('nmi-watchdog').map.features['combo.group_schedulability']?.value, 3);
    assert.equal(mapOf('mainline-6.18').map.features['combo.group_schedulability']?.value, 4);
  });

  it('arm64: precise_ip is no-hardware, the PMU is found by its sysfs type', () => {
    const { map } = mapOf('arm64-graviton');
    assert.equal(map.features['combo.precise_ip']?.status, 'no-hardware');
    assert.equal(map.features['pmu.armv8_pmuv3_0']?.status, 'supported');
  });

  for (const [name, errno, word] of [['seccomp-eperm', ERRNO.EPERM, /seccomp/], ['seccomp-enosys', ERRNO.ENOSYS, /seccomp/], ['paranoid3-user', ERRNO.EACCES, /paranoid is 3/]] as const) {
    it(`${name}: getCapabilities throws one ERR_PERF_UNAVAILABLE naming the cause, and closes nothing it did not open`, () => {
      const sim = simulate(name);
      assert.throws(() => getCapabilities(sim), (e: unknown) => {
        assert.ok(e instanceof PerfcompatError);
        assert.equal(e.code, 'ERR_PERF_UNAVAILABLE');
        assert.equal(e.errno, errno);
        assert.match(e.message, word);
        return true;
      });
      assert.equal(sim.kernel.openFdCount(), 0);
    });
  }
});
