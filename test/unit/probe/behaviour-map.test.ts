/**
 * Behaviour entries in the capability map: every status, reason and
 * measured value fits the published JSON schema, and they are there only
 * when asked for.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { simulate } from '../../sim';
import { getCapabilities, feature, supports } from '../../../src/root';

const schema = JSON.parse(readFileSync(resolve(__dirname, '../../../../schema/capabilities.schema.json'), 'utf8')) as object;

describe('behaviour entries in the capability map', () => {
  const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(schema);

  it('are absent unless behaviour: true, then present for every check and valid against the schema', () => {
    const sim = simulate('quirky-pmu');
    const plain = getCapabilities({ ...sim, cache: false });
    assert.deepEqual(Object.keys(plain.features).filter((id) => id.startsWith('behaviour.')), []);
    const withChecks = getCapabilities({ ...sim, cache: false, behaviour: true });
    const ids = Object.keys(withChecks.features).filter((id) => id.startsWith('behaviour.'));
    assert.ok(ids.includes('behaviour.group_read') && ids.includes('behaviour.schedulability') && ids.includes('behaviour.counter_counts'));
    assert.equal(validate(withChecks), true, JSON.stringify(validate.errors));
    const broken = withChecks.features['behaviour.counter_counts']!;
    assert.equal(broken.status, 'broken');
    assert.ok(broken.measured && Object.keys(broken.measured).length > 0);
  });

  it('feature() and supports() answer one behaviour id by running only that check', () => {
    const sim = simulate('nmi-watchdog');
    const e = feature('behaviour.schedulability', { ...sim, cache: false });
    assert.equal(e.status, 'broken');
    assert.equal(e.value, 3);
    const opened = sim.kernel.calls.filter((c) => c.call === 'perf_event_open').length;
    // Groups of 1..4 cycles events, then of 1..4 of a general-purpose event: 20 opens; the full catalogue would open hundreds.
    assert.ok(opened <= 25, `opened ${opened} events for one check`);
    assert.equal(supports('behaviour.ioctl_reset', { ...simulate('mainline-6.18', { quirks: { resetNoop: true } }), cache: false }), false);
  });
});
