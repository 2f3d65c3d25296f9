/**
 * Regression fixture of the refactor that made planOpen's special steps a
 * table (plan-steps/): fixtures/plan-open-regression.json was written by
 * plan-regression-cases.ts with the planOpen of BEFORE that refactor, on the
 * simulated personas' probed maps and variants of them, for specs that reach
 * every step, under five policies. Each case must give the same outcome now:
 * the same attr, bytes, flags and adaptations (what/why/featureId/errno), or
 * the same error code, message and errno. A deliberate change of behaviour
 * regenerates the fixture (see plan-regression-cases.ts) and says so in its commit.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { caseMaps, FIXTURE, outcomeOf, POLICIES, SPECS, type Recorded } from './plan-regression-cases';

describe('shim/planOpen regression fixture (outcomes recorded before the steps became a table)', () => {
  const recorded = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Recorded;
  const maps = caseMaps();

  it('covers the same maps, specs and policies as the fixture', () => {
    assert.deepEqual(Object.keys(maps), Object.keys(recorded.cases));
    assert.deepEqual(Object.keys(POLICIES), recorded.policies);
    for (const m of Object.keys(recorded.cases)) assert.deepEqual(Object.keys(recorded.cases[m]!), Object.keys(SPECS), m);
  });

  for (const [mapLabel, map] of Object.entries(maps)) {
    it(`${mapLabel}: every spec under every policy gives the recorded plan or error`, () => {
      const bySpec = recorded.cases[mapLabel];
      assert.ok(bySpec, `${mapLabel} is in the fixture`);
      for (const [specLabel, spec] of Object.entries(SPECS)) {
        Object.values(POLICIES).forEach((policy, i) => {
          const want = recorded.outcomes[bySpec[specLabel]![i]!];
          assert.deepEqual(outcomeOf(spec, map, policy), want, `${mapLabel} | ${specLabel} | ${recorded.policies[i]}`);
        });
      }
    });
  }
});
