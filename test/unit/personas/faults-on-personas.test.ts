/**
 * Faults of the moment on simulated kernels: running out of fds while probing
 * gives `error` entries (EMFILE), never `unsupported`, and such a map is not
 * written to the cache.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERRNO } from '../../../src/abi';
import { getCapabilities } from '../../../src/root';
import { simulate, x86Pmu } from '../../sim';

describe('fd exhaustion on a simulated kernel', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'perfcompat-fault-cache-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const free of [0, 1]) {
    it(`with ${free} free fd(s), entries hit by EMFILE are error, nothing is unsupported for it, and no cache file is written`, () => {
      const sim = simulate('fd-starved', { rlimitNofile: 20 + free, pmu: x86Pmu() });
      let map;
      try {
        map = getCapabilities({ ...sim, cache: { dir } });
      } catch (e) {
        // Refusing to probe at all is acceptable only as one clear error naming EMFILE.
        assert.match(String((e as Error).message), /EMFILE|file descriptors/);
        assert.deepEqual(readdirSync(dir), []);
        return;
      }
      const wrong = Object.entries(map.features)
        .filter(([, e]) => (e.errno === ERRNO.EMFILE || e.measured?.errnoName === 'EMFILE') && e.status !== 'error')
        .map(([id, e]) => `${id}: ${e.status} (${e.reason ?? ''})`);
      assert.deepEqual(wrong, [], 'EMFILE must give error');
      const emfile = Object.values(map.features).filter((e) => e.errno === ERRNO.EMFILE).length;
      assert.ok(emfile > 0, 'the probe must have run out of fds');
      const cached = readdirSync(dir).filter((f) => !f.startsWith('.'));
      assert.deepEqual(cached, [], 'a map with fault-of-the-moment entries must not be cached');
      assert.equal(sim.kernel.openFdCount(), 0);
    });
  }

  it('running out midway (another part of the process takes fds during the probe) gives error, not unsupported', () => {
    const sim = simulate('mainline-6.18', { rlimitNofile: 40, fdsInUse: 20 });
    const open = sim.kernel.perfEventOpen.bind(sim.kernel);
    let calls = 0;
    sim.kernel.perfEventOpen = (...args) => {
      if (++calls === 150) sim.kernel.holdFds(20); // the process is now at its limit
      return open(...args);
    };
    const map = getCapabilities({ ...sim, cache: { dir } });
    const after = Object.entries(map.features).filter(([, e]) => e.errno === ERRNO.EMFILE);
    assert.ok(after.length > 0, 'some entries must have met EMFILE');
    for (const [id, e] of after) assert.equal(e.status, 'error', `${id}: ${e.status} (${e.reason ?? ''})`);
    const reference = getCapabilities(simulate('mainline-6.18'));
    for (const [id, e] of Object.entries(map.features)) {
      if (e.status === 'unsupported') assert.equal(reference.features[id]?.status, 'unsupported', `${id} became unsupported by EMFILE`);
    }
    assert.deepEqual(readdirSync(dir).filter((f) => !f.startsWith('.')), []);
  });
});

describe('a seccomp filter on perf_event_open\'s arguments (simulated)', () => {
  it('a flag the filter refuses with ENOSYS is denied, not unsupported; the rest of the map is unchanged', () => {
    const PID_CGROUP = 1 << 2;
    const filtered = getCapabilities({ ...simulate('mainline-6.18', { seccomp: 'ENOSYS', seccompFlags: PID_CGROUP }), cache: false });
    const open = getCapabilities({ ...simulate('mainline-6.18'), cache: false });
    const cg = filtered.features['open_flags.pid_cgroup']!;
    assert.equal(cg.status, 'denied', cg.reason);
    assert.equal(cg.errno, ERRNO.ENOSYS);
    assert.match(cg.reason ?? '', /seccomp filter/);
    assert.equal(filtered.environment.seccomp.mode, 2);
    const changed = Object.keys(open.features).filter((id) => open.features[id]!.status !== filtered.features[id]?.status);
    assert.deepEqual(changed, ['open_flags.pid_cgroup']);
  });
});
