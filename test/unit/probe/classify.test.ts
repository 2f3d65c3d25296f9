import assert from 'node:assert/strict';
import { classifyRefusal } from '../../../src/probe/classify';
import { E } from './stub-kernel';

const base = 'software/cpu-clock';

describe('probe/classify', () => {
  it('calls EINVAL unsupported only when the unregistered-PMU cross-check also says EINVAL', () => {
    const unknown = classifyRefusal({ errno: E.EINVAL, oracleErrno: E.EINVAL, base });
    assert.equal(unknown.status, 'unsupported');
    assert.equal(unknown.errnoName, 'EINVAL');
    assert.equal(unknown.inferredFrom, undefined);
  });

  it('calls a bit that passes attr validation (ENOENT on the oracle) known, never unsupported', () => {
    const known = classifyRefusal({ errno: E.EINVAL, oracleErrno: E.ENOENT, base, whenKnown: 'no-hardware' });
    assert.equal(known.status, 'no-hardware');
    assert.match(known.inferredFrom ?? '', /ENOENT on an unregistered PMU type/);
    const dflt = classifyRefusal({ errno: E.EINVAL, oracleErrno: E.ENOENT, base });
    assert.equal(dflt.status, 'untestable');
  });

  it('maps permission errnos to denied and PMU errnos to no-hardware', () => {
    assert.equal(classifyRefusal({ errno: E.EACCES, base }).status, 'denied');
    assert.equal(classifyRefusal({ errno: E.EPERM, base }).status, 'denied');
    assert.equal(classifyRefusal({ errno: E.ENOENT, base }).status, 'no-hardware');
    assert.equal(classifyRefusal({ errno: E.ENODEV, base }).status, 'no-hardware');
    const eop = classifyRefusal({ errno: E.EOPNOTSUPP, oracleErrno: E.ENOENT, base });
    assert.equal(eop.status, 'no-hardware');
    assert.ok(eop.inferredFrom);
  });

  it('calls ENOSYS unsupported, but denied under an active seccomp filter (the base opened: the filter refuses these arguments)', () => {
    const plain = classifyRefusal({ errno: E.ENOSYS, base });
    assert.equal(plain.status, 'unsupported');
    const filtered = classifyRefusal({ errno: E.ENOSYS, base, seccompFilter: true });
    assert.equal(filtered.status, 'denied');
    assert.equal(filtered.errnoName, 'ENOSYS');
    assert.match(filtered.reason ?? '', /seccomp filter/);
    // Other errnos do not change meaning under a filter.
    assert.equal(classifyRefusal({ errno: E.E2BIG, base, seccompFilter: true }).status, 'unsupported');
  });

  it('reports E2BIG as beyond the attr size', () => {
    const e = classifyRefusal({ errno: E.E2BIG, base, attrSize: 136 });
    assert.equal(e.status, 'unsupported');
    assert.match(e.reason ?? '', /beyond attr size 136/);
  });

  it('reports faults of the moment as error', () => {
    for (const errno of [E.EINTR, E.EAGAIN, E.EMFILE]) assert.equal(classifyRefusal({ errno, base }).status, 'error');
  });

  it('lets a declaration say what an errno means for it', () => {
    assert.equal(classifyRefusal({ errno: E.ENOENT, base, errnos: { ENOENT: 'unsupported' } }).status, 'unsupported');
  });

  it('without a possible cross-check, an oracle-checked EINVAL is untestable and says why', () => {
    const e = classifyRefusal({ errno: E.EINVAL, oracleErrno: null, base, oracleUnusable: 'a plain attr answered EOPNOTSUPP' });
    assert.equal(e.status, 'untestable');
    assert.match(e.reason ?? '', /no unregistered-PMU cross-check/);
    assert.match(e.reason ?? '', /EOPNOTSUPP/);
  });
});
