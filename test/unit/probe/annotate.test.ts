import assert from 'node:assert/strict';
import { annotate, coerceRelease } from '../../../src/probe/annotate';

describe('probe/annotate', () => {
  it('coerces vendor release strings', () => {
    assert.equal(coerceRelease('3.10.0-1160.el7.x86_64'), '3.10.0');
    assert.equal(coerceRelease('5.10.0-32-cloud-amd64'), '5.10.0');
    assert.equal(coerceRelease('6.18.0'), '6.18.0');
    assert.equal(coerceRelease('6.1'), '6.1.0');
    assert.equal(coerceRelease('weird'), null);
  });

  it('flags a newer feature that works as backported', () => {
    const e = annotate({ status: 'supported' }, '6.0', '5.10.0');
    assert.equal(e.mainline, '6.0');
    assert.equal(e.anomaly, 'backported');
  });

  it('flags an older feature refused as unknown as missing', () => {
    assert.equal(annotate({ status: 'unsupported' }, '4.1', '5.10.0').anomaly, 'missing');
  });

  it('adds no anomaly when the answer agrees with the version, or is not about knowing', () => {
    assert.equal(annotate({ status: 'supported' }, '4.1', '5.10.0').anomaly, undefined);
    assert.equal(annotate({ status: 'unsupported' }, '6.19', '6.18.0').anomaly, undefined);
    assert.equal(annotate({ status: 'no-hardware' }, '3.4', '6.18.0').anomaly, undefined);
    assert.equal(annotate({ status: 'supported' }, '6.19', null).anomaly, undefined);
  });
});
