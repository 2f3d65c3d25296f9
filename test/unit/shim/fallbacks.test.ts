/**
 * Table-driven over FALLBACKS: every fallback is taken exactly when the map
 * says its feature is missing, and never when the map says it is there or
 * has no answer. The attr checked is the one the stub kernel received.
 */
import assert from 'node:assert/strict';
import { BRANCH_SAMPLE_TYPE, CLOCK_IDS, READ_FORMAT, SAMPLE_TYPE } from '../../../src/abi/constants';
import { DecodedAttr } from '../../../src/abi/attr-codec';
import { PerfcompatError } from '../../../src/errors';
import { AttrBits, FALLBACKS, FallbackRule } from '../../../src/shim/fallbacks';
import { openEvent } from '../../../src/shim/perf-event';
import type { EventSpec } from '../../../src/shim/types';
import { mapWith, sentAttr, stubKernel, supported, unsupported } from './shim-fixtures';

const MASKS = { sampleType: ['sample_type', SAMPLE_TYPE], readFormat: ['read_format', READ_FORMAT], branch: ['branch_sample_type', BRANCH_SAMPLE_TYPE] } as const;

function bit(kind: keyof typeof MASKS, name: string): bigint {
  return 1n << BigInt(MASKS[kind][1].find((b) => b.name === name)!.bit);
}

/** Add to `spec` what makes the attr ask for `bits` (all of them, or the first of each kind). */
function ask(spec: Record<string, number | bigint>, bits: AttrBits | undefined, firstOnly: boolean): void {
  if (!bits) return;
  const pick = <T>(xs: readonly T[] | undefined): readonly T[] => (xs ? (firstOnly ? xs.slice(0, 1) : xs) : []);
  for (const f of pick(bits.flags)) spec[f] = 1;
  for (const f of pick(bits.fields)) spec[f] = 1;
  for (const kind of ['sampleType', 'readFormat', 'branch'] as const) {
    const field = MASKS[kind][0];
    for (const n of pick(bits[kind])) spec[field] = BigInt(spec[field] ?? 0n) | bit(kind, n);
  }
  if (bits.clock) {
    spec.use_clockid = 1;
    spec.clockid = CLOCK_IDS.find((c) => c.name === bits.clock)!.value;
  }
}

function specFor(rule: FallbackRule): EventSpec {
  // A rule for NMI PMUs is about a hardware event (cycles); the others are asked of a software one.
  const s: Record<string, number | bigint> = rule.nmiPmu ? { type: 0, config: 0 } : { type: 1, config: 1 };
  ask(s, rule.asks, true);
  ask(s, rule.with, false);
  return s as EventSpec;
}

function isSet(attr: DecodedAttr, kind: 'flags' | 'fields' | keyof typeof MASKS, name: string): boolean {
  if (kind === 'flags' || kind === 'fields') return BigInt(attr[name] ?? 0) !== 0n;
  return (BigInt(attr[MASKS[kind][0]] ?? 0n) & bit(kind, name)) !== 0n;
}

describe('shim fallback table', () => {
  it('names real ABI bits and map ids, one rule per feature id and attr', () => {
    for (const r of FALLBACKS) {
      assert.match(r.featureId, /^(attr|read_format|sample_type|branch_sample_type|combo)\./, r.featureId);
      assert.ok(r.why.length > 10, `${r.featureId} says what the user loses`);
      if (r.action !== 'refuse') assert.ok(r.drop || r.set, `${r.featureId} changes something`);
    }
  });

  for (const rule of FALLBACKS) {
    // Most rules are for a missing feature; a 'supported' rule adds what the kernel wants beside a feature it has.
    const forSupported = rule.when === 'supported';
    const taken = () => (forSupported ? supported() : unsupported());
    const notTaken = () => (forSupported ? unsupported() : supported());
    /** Another rule for the same feature answers the other status. */
    const sibling = FALLBACKS.some((r) => r !== rule && r.featureId === rule.featureId);
    describe(`${rule.featureId} (${rule.action}${forSupported ? ', when supported' : ''})`, () => {
      it(`is taken when the map says the feature is ${forSupported ? 'supported' : 'missing'}`, () => {
        const k = stubKernel();
        const map = mapWith({ [rule.featureId]: taken() });
        if (rule.action === 'refuse') {
          assert.throws(() => openEvent(specFor(rule), { kernel: k, capabilities: map }), (e: unknown) => {
            assert.ok(e instanceof PerfcompatError);
            assert.equal(e.code, 'ERR_KERNEL');
            assert.equal(e.errnoName, 'EINVAL');
            assert.ok(e.message.includes(rule.featureId), e.message);
            return true;
          });
          assert.equal(k.perfEventOpen.callCount, 0, 'refused before any syscall');
          return;
        }
        const ev = openEvent(specFor(rule), { kernel: k, capabilities: map });
        assert.equal(k.perfEventOpen.callCount, 1, 'one open, no trial and error');
        const sent = sentAttr(k);
        const mine = ev.adaptations.filter((a) => a.featureId === rule.featureId);
        assert.equal(mine.length, 1, `one adaptation recorded for ${rule.featureId}`);
        if (!forSupported) assert.equal(mine[0]!.errnoName, 'EINVAL');
        const set = rule.set ?? {};
        for (const f of rule.drop?.flags ?? []) if (!(f in (set.flags ?? {}))) assert.ok(!isSet(sent, 'flags', f), `${f} dropped`);
        for (const f of rule.drop?.fields ?? []) assert.ok(!isSet(sent, 'fields', f), `${f} dropped`);
        for (const kind of ['sampleType', 'readFormat', 'branch'] as const) {
          for (const n of rule.drop?.[kind] ?? []) assert.ok(!isSet(sent, kind, n), `${kind}.${n} dropped`);
        }
        for (const [f, v] of Object.entries(set.flags ?? {})) assert.equal(Number(sent[f]), v, `${f} set`);
        for (const [f, v] of Object.entries(set.fields ?? {})) assert.equal(Number(sent[f]), v, `${f} set`);
        for (const n of set.sampleType ?? []) assert.ok(isSet(sent, 'sampleType', n), `sample_type.${n} set`);
        ev.close();
      });

      it(`is not taken when the map says the feature is ${forSupported ? 'missing' : 'supported'}`, () => {
        const k = stubKernel();
        const ev = openEvent(specFor(rule), { kernel: k, capabilities: mapWith({ [rule.featureId]: notTaken() }) });
        if (!sibling) assert.deepEqual(ev.adaptations, []);
        for (const n of rule.set?.sampleType ?? []) if (rule.action === 'add') assert.ok(!isSet(sentAttr(k), 'sampleType', n), `sample_type.${n} not added`);
        const sent = sentAttr(k);
        const want = specFor(rule);
        // (A missing feature's own rule may take what the 'supported' one left alone.)
        for (const [f, v] of Object.entries(forSupported && sibling ? {} : want)) {
          if (f === 'type' || f === 'config') continue;
          assert.equal(BigInt(sent[f] ?? 0) & BigInt(v as number | bigint), BigInt(v as number | bigint), `${f} passed as asked`);
        }
        ev.close();
      });

      it('is not taken when the map has no answer for the feature', () => {
        const k = stubKernel();
        const ev = openEvent(specFor(rule), { kernel: k, capabilities: mapWith() });
        assert.deepEqual(ev.adaptations, []);
        ev.close();
      });

      if (rule.action !== 'refuse') {
        it('is refused under a strict policy, naming the adaptation', () => {
          const k = stubKernel();
          assert.throws(() => openEvent(specFor(rule), { kernel: k, capabilities: mapWith({ [rule.featureId]: taken() }), policy: { strict: true } }),
            (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_ADAPTATION_REFUSED' && e.message.includes(rule.featureId));
          assert.equal(k.perfEventOpen.callCount, 0);
        });
      }
    });
  }
});
