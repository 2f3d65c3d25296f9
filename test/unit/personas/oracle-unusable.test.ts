/**
 * Issue 15 item 17: where a PMU driver answers EOPNOTSUPP (not ENOENT) for
 * types it does not own, perf_init_event (kernel/events/core.c) stops at it
 * for an unregistered type, and the engine's cross-check cannot tell a known
 * attr bit from an unknown one: such an EINVAL is untestable, saying why —
 * not unsupported. Compared with the same kernel without that driver.
 */
import assert from 'node:assert/strict';
import { getCapabilities } from '../../../src/root';
import { simulate } from '../../sim';

describe('vendor-foreign-type: the unregistered-type cross-check is unusable', function () {
  this.timeout(120_000);

  it('turns no oracle-checked EINVAL into unsupported, and names what the unregistered type answered', () => {
    const plain = getCapabilities({ ...simulate('mainline-6.1') });
    const sim = simulate('vendor-foreign-type');
    const vendor = getCapabilities({ ...sim });
    const confirmed = Object.entries(plain.features).filter(([, e]) => /unknown to attr validation/.test(e.reason ?? ''));
    assert.ok(confirmed.length > 0, 'mainline-6.1 has oracle-confirmed unknown bits to compare');
    for (const [id] of confirmed) {
      const e = vendor.features[id]!;
      assert.equal(e.status, 'untestable', `${id}: ${e.status} ${e.reason}`);
      assert.match(e.reason ?? '', new RegExp(sim.kernel.persona.quirks.foreignTypeErrno!));
    }
  });

  it('still answers what needs no cross-check (supported bits stay supported)', () => {
    const plain = getCapabilities({ ...simulate('mainline-6.1') });
    const vendor = getCapabilities({ ...simulate('vendor-foreign-type') });
    for (const [id, e] of Object.entries(plain.features)) {
      if (e.status === 'supported' && id.startsWith('attr.')) assert.equal(vendor.features[id]?.status, 'supported', id);
    }
  });
});
