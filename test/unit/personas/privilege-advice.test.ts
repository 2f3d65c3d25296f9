/**
 * Issue 15: every privilege advice comes from src/model/privilege.ts. At
 * Debian/Ubuntu's perf_event_paranoid 3 and 4, perf_event_open begins with
 * `if (perf_paranoid_any() && !capable(CAP_SYS_ADMIN)) return -EACCES;`, so
 * CAP_PERFMON does not help there: the shim's open error and `probe stat`'s
 * -a / -p refusal named CAP_PERFMON anyway. The environment is the persona's
 * (test/sim/personas/paranoid3-user.ts), the refusal its kernel's.
 */
import assert from 'node:assert/strict';
import { getCapabilities } from '../../../src/root';
import { openEvent } from '../../../src/shim';
import { PerfcompatError } from '../../../src/errors';
import { statDeniedError } from '../../../src/cli/stat/denied-error';
import type { CapabilityMap } from '../../../src/model/capability-map';
import { simulate } from '../../sim';

/** A map measured where opens work, carrying the environment of a kernel that refuses them (the shim reads only the map). */
function mapAt(paranoid: number, perfmon: boolean): { map: CapabilityMap; sim: ReturnType<typeof simulate> } {
  const ok = simulate('paranoid2-user', { clock: 'manual' });
  const sim = simulate('paranoid3-user', { clock: 'manual', paranoid, caps: { perfmon } });
  const map = getCapabilities({ ...ok });
  return { map: { ...map, environment: sim.environment }, sim };
}

function openMessage(spec: string, map: CapabilityMap, sim: ReturnType<typeof simulate>, target: { pid?: number; cpu?: number } = {}): string {
  try {
    openEvent(spec, { kernel: sim.kernel, capabilities: map, ...target }).close();
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail(`${spec} opened on ${sim.kernel.persona.name}, whose every open is refused`);
}

describe('privilege advice at paranoid 3/4 names CAP_SYS_ADMIN everywhere (issue 15, item 2)', function () {
  this.timeout(60_000);

  for (const paranoid of [3, 4]) {
    for (const perfmon of [false, true]) {
      it(`the shim's open error at paranoid ${paranoid}${perfmon ? ', caller holding CAP_PERFMON' : ''}: CAP_SYS_ADMIN, never CAP_PERFMON as the fix`, () => {
        const { map, sim } = mapAt(paranoid, perfmon);
        const text = openMessage('task-clock', map, sim);
        assert.match(text, /EACCES/);
        assert.match(text, /CAP_SYS_ADMIN/);
        assert.doesNotMatch(text, /needs (paranoid <= 0 or )?CAP_PERFMON|grant CAP_PERFMON|neither CAP_PERFMON/);
        if (perfmon) assert.match(text, /CAP_PERFMON[^;]* is not enough/);
      });
    }

    it(`the shim's open error for CPU-wide counting at paranoid ${paranoid}: CAP_SYS_ADMIN`, () => {
      const { map, sim } = mapAt(paranoid, true);
      const text = openMessage('task-clock', map, sim, { pid: -1, cpu: 0 });
      assert.match(text, /CPU-wide counting \(pid -1\) needs CAP_SYS_ADMIN/);
      assert.doesNotMatch(text, /or CAP_PERFMON/);
    });

    for (const [what, scope] of [['CPU-wide counting (-a, -C)', 'cpu-wide'], ['counting process 1', 'other-user']] as const) {
      it(`probe stat's refusal of ${what} at paranoid ${paranoid}: CAP_SYS_ADMIN`, () => {
        const { map } = mapAt(paranoid, true);
        const err = statDeniedError(what, scope, map)(new PerfcompatError('ERR_KERNEL', 'refused', { errnoName: 'EACCES' }));
        assert.match(err.message, /needs CAP_SYS_ADMIN/);
        assert.doesNotMatch(err.message, /needs CAP_PERFMON/);
        assert.match(err.message, new RegExp(`it is ${paranoid} here`));
      });
    }
  }

  it('at paranoid 2 the advice stays CAP_PERFMON (mainline: perfmon_capable)', () => {
    const { map, sim } = mapAt(2, false);
    const err = statDeniedError('CPU-wide counting (-a, -C)', 'cpu-wide', map)(new PerfcompatError('ERR_KERNEL', 'refused', { errnoName: 'EACCES' }));
    assert.match(err.message, /needs CAP_PERFMON \(or CAP_SYS_ADMIN\)/);
    // The paranoid3 persona's kernel refuses every open at any level it is given only when that level is 3+; at 2 ask CPU-wide.
    const text = openMessage('task-clock', map, sim, { pid: -1, cpu: 0 });
    assert.match(text, /CPU-wide counting \(pid -1\) needs CAP_PERFMON/);
  });
});
