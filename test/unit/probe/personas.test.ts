/**
 * The engine against every simulated kernel: the map must agree with that
 * kernel's own header — a feature it defines is never `unsupported`, one it
 * lacks is never `supported` — and the unusable ones must say why.
 */
import assert from 'node:assert/strict';
import { ABI_FEATURES } from '../../../src/abi/features';
import { feature, getCapabilities, supports } from '../../../src/probe/capabilities';
import '../../../src/root';
import { PerfcompatError } from '../../../src/errors';
import { loadPersona, personaNames, simulate } from '../../sim';

const UNUSABLE: Readonly<Record<string, RegExp>> = {
  'seccomp-eperm': /seccomp/,
  'seccomp-enosys': /seccomp/,
  'paranoid3-user': /perf_event_paranoid is 3/,
};

describe('probe engine on simulated kernels', function () {
  this.timeout(60000);

  for (const name of personaNames()) {
    if (UNUSABLE[name]) {
      it(`${name}: throws one ERR_PERF_UNAVAILABLE naming the cause`, () => {
        const s = simulate(name);
        assert.throws(() => getCapabilities({ ...s, cache: false }), (err: unknown) =>
          err instanceof PerfcompatError && err.code === 'ERR_PERF_UNAVAILABLE' && UNUSABLE[name].test(err.message));
      });
      continue;
    }
    it(`${name}: agrees with its header, entry for every ABI feature, no fd left open`, () => {
      const s = simulate(name);
      const persona = loadPersona(name);
      const map = getCapabilities({ ...s, cache: false });
      const wrong: string[] = [];
      for (const f of ABI_FEATURES) {
        const e = map.features[f.id];
        assert.ok(e, `${f.id} has no entry`);
        if (f.id === 'attr.size') continue;
        if (persona.features.has(f.id) && e.status === 'unsupported') wrong.push(`${f.id} unsupported (${e.errnoName}) but the header has it`);
        if (!persona.features.has(f.id) && e.status === 'supported') wrong.push(`${f.id} supported but the header lacks it`);
      }
      assert.deepEqual(wrong, []);
      assert.equal(map.features['attr.size'].value, persona.attrSize);
      assert.equal(s.kernel.openFds().length, 0, 'fds left open');
    });
  }

  it('answers one feature by probing only what it needs', () => {
    const s = simulate('mainline-6.18');
    assert.equal(supports('attr.sigtrap', { ...s, cache: false }), true);
    const opens = s.kernel.calls.filter((c) => c.call === 'perf_event_open').length;
    assert.ok(opens > 0 && opens < 20, `${opens} opens for one feature`);
    assert.equal(feature('read_format.lost', { ...s, cache: false }).status, 'supported');
  });

  it('finds a backport by asking, and annotates it', () => {
    const s = simulate('debian-5.10-lost');
    const e = feature('read_format.lost', { ...s, cache: false });
    assert.equal(e.status, 'supported');
    assert.equal(e.anomaly, 'backported');
  });

  it('calls what an unprivileged caller may not do denied, not unsupported', () => {
    const s = simulate('paranoid2-user');
    const map = getCapabilities({ ...s, cache: false });
    assert.equal(map.features['access.kernel'].status, 'denied');
    assert.equal(map.features['access.cpu_wide'].status, 'denied');
  });

  it('rejects an unknown feature id with the shape of valid ones', () => {
    const s = simulate('mainline-6.18');
    assert.throws(() => feature('attr.nonsense', { ...s, cache: false }), (err: unknown) =>
      err instanceof PerfcompatError && err.code === 'ERR_INVALID_ARGUMENT' && /attr\.sigtrap/.test(err.message));
  });
});
