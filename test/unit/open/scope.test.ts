import assert from 'node:assert/strict';
import { openScope } from '../../../src/open/scope';
import { PERF_FLAG } from '../../../src/abi/constants';
import { E, stubKernel } from '../probe/stub-kernel';

function includes(actual: object, want: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(want)) assert.equal((actual as Record<string, unknown>)[k], v, k);
}

describe('open/scope: the one opener', () => {
  it('dispose closes every fd it opened, and only those', () => {
    const k = stubKernel(() => 'fd');
    const outside = k.perfEventOpen(new Uint8Array(64), 0, -1, -1, 0);
    const scope = openScope(k);
    const a = scope.open({ type: 1, config: 0 });
    const b = scope.open({ type: 1, config: 1 });
    assert.equal('fd' in a && 'fd' in b, true);
    assert.equal(k.open.size, 3);
    scope.dispose();
    assert.deepEqual([...k.open], ['fd' in outside ? outside.fd : -1]);
    scope.dispose();
    assert.equal(k.open.size, 1);
  });

  it('works with `using`-style Symbol.dispose', () => {
    const k = stubKernel(() => 'fd');
    const scope = openScope(k);
    scope.open({ type: 1, config: 0 });
    scope[Symbol.dispose]();
    assert.equal(k.open.size, 0);
  });

  it('retries EINTR/EAGAIN, and not when retry is false', () => {
    let n = 0;
    const k = stubKernel(() => (n++ < 2 ? { errno: n === 1 ? E.EINTR : E.EAGAIN } : 'fd'));
    const scope = openScope(k);
    assert.equal('fd' in scope.open({ type: 1, config: 0 }), true);
    assert.equal(k.calls.length, 3);
    n = 0;
    const r = scope.open({ type: 1, config: 0 }, {}, { retry: false });
    includes(r, { errno: E.EINTR, errnoName: 'EINTR', status: 'error' });
    scope.dispose();
  });

  it('cloexec adds PERF_FLAG_FD_CLOEXEC; size defaults to the smallest that holds the attr', () => {
    const k = stubKernel(() => 'fd');
    const scope = openScope(k, { cloexec: true });
    scope.open({ type: 1, config: 0 }, { flags: 0 });
    scope.open({ type: 1, config: 0 }, {}, { size: 128 });
    assert.equal(k.calls[0].flags & PERF_FLAG.FD_CLOEXEC, PERF_FLAG.FD_CLOEXEC);
    assert.equal(k.calls[0].size, 64);
    assert.equal(k.calls[1].size, 128);
    scope.dispose();
  });

  it('userOnlyOnDenied reopens excluding kernel and hv; an EINVAL-like answer keeps "denied"', () => {
    const allowUser = stubKernel((c) => (c.attr.exclude_kernel ? 'fd' : { errno: E.EACCES }));
    const s1 = openScope(allowUser);
    assert.equal('fd' in s1.open({ type: 1, config: 0 }, {}, { userOnlyOnDenied: true }), true);
    assert.ok(allowUser.calls[1].attr.exclude_hv);
    assert.ok(allowUser.calls[1].attr.exclude_kernel);
    s1.dispose();
    const cannotExclude = stubKernel((c) => ({ errno: c.attr.exclude_kernel ? E.EINVAL : E.EACCES }));
    const s2 = openScope(cannotExclude);
    includes(s2.open({ type: 1, config: 0 }, {}, { userOnlyOnDenied: true }), { status: 'denied', errnoName: 'EACCES' });
    const absent = stubKernel((c) => ({ errno: c.attr.exclude_kernel ? E.ENOENT : E.EPERM }));
    const s3 = openScope(absent);
    includes(s3.open({ type: 1, config: 0 }, {}, { userOnlyOnDenied: true }), { status: 'no-hardware' });
    const noRetry = stubKernel(() => ({ errno: E.EACCES }));
    openScope(noRetry).open({ type: 1, config: 0 });
    assert.equal(noRetry.calls.length, 1);
  });

  it('checkpoint/releaseSince closes only what was opened after the mark', () => {
    const k = stubKernel(() => 'fd');
    const scope = openScope(k);
    const first = scope.open({ type: 1, config: 0 });
    const mark = scope.checkpoint();
    scope.open({ type: 1, config: 1 });
    scope.releaseSince(mark);
    assert.deepEqual([...k.open], ['fd' in first ? first.fd : -1]);
    scope.dispose();
    assert.equal(k.open.size, 0);
  });
});
