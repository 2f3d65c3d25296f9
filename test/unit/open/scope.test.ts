import assert from 'node:assert/strict';
import sinon from 'sinon';
import { openScope } from '../../../src/open/scope';
import { PERF_FLAG } from '../../../src/abi/constants';
import { F_SETFD, FD_CLOEXEC, PROT_READ, PROT_WRITE } from '../../../src/abi/ioctl';
import { OPEN_FALLBACKS } from '../../../src/open/scope';
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

  describe('close-on-exec: the scope owns it', () => {
    const setfds = (k: ReturnType<typeof stubKernel>): unknown[][] =>
      (k.fcntl as unknown as { getCalls(): { args: unknown[] }[] }).getCalls().map((c) => c.args).filter((a) => a[1] === F_SETFD);

    it('by default opens without the flag and sets FD_CLOEXEC with fcntl on every fd', () => {
      const k = stubKernel(() => 'fd');
      const scope = openScope(k);
      const r = scope.open({ type: 1, config: 0 });
      assert.ok('fd' in r);
      assert.equal(k.calls[0].flags & PERF_FLAG.FD_CLOEXEC, 0);
      assert.deepEqual(setfds(k), [[r.fd, F_SETFD, FD_CLOEXEC]]);
      scope.dispose();
    });

    it('sets nothing by fcntl when the open carries PERF_FLAG_FD_CLOEXEC: asked by the caller or by the \'flag\' mode', () => {
      for (const [scopeMode, openMode, flags] of [[undefined, undefined, PERF_FLAG.FD_CLOEXEC], ['flag', undefined, 0], [true, undefined, 0], ['fcntl', 'flag', 0]] as const) {
        const k = stubKernel(() => 'fd');
        const scope = openScope(k, scopeMode === undefined ? {} : { cloexec: scopeMode });
        scope.open({ type: 1, config: 0 }, { flags }, openMode ? { cloexec: openMode } : {});
        assert.equal(k.calls[0].flags & PERF_FLAG.FD_CLOEXEC, PERF_FLAG.FD_CLOEXEC, `${String(scopeMode)}/${String(openMode)}`);
        assert.deepEqual(setfds(k), []);
        scope.dispose();
      }
      const k = stubKernel(() => 'fd');
      const scope = openScope(k, { cloexec: 'flag' });
      scope.open({ type: 1, config: 0 }, {}, { cloexec: 'fcntl' });
      assert.equal(k.calls[0].flags & PERF_FLAG.FD_CLOEXEC, 0, 'an open\'s mode overrides the scope\'s');
      assert.equal(setfds(k).length, 1);
      scope.dispose();
    });

    it('a failed fcntl closes the fd and answers with the fcntl errno', () => {
      const k = stubKernel(() => 'fd');
      k.fcntl = () => ({ errno: E.EBADF });
      const scope = openScope(k);
      const r = scope.openBytes(new Uint8Array(64).fill(0, 0), {});
      includes(r, { errno: E.EBADF, errnoName: 'EBADF', call: 'fcntl' });
      assert.equal(k.open.size, 0);
      assert.deepEqual(scope.held, { fds: 0, mappings: 0 });
    });
  });

  it('orElse asks the bytes the caller names after each refusal, says which opened, and stops', () => {
    const k = stubKernel((c) => (Number(c.attr.config) === 3 ? 'fd' : { errno: E.EINVAL }));
    const scope = openScope(k);
    const bytes = (config: number): Uint8Array => {
      const b = new Uint8Array(64);
      new DataView(b.buffer).setUint32(4, 64, true);
      new DataView(b.buffer).setBigUint64(8, BigInt(config), true);
      return b;
    };
    const seen: number[] = [];
    const r = scope.openBytes(bytes(1), {}, { orElse: (refusal, attempt) => { seen.push(attempt); assert.equal(refusal.status, 'unsupported'); return bytes(attempt + 2); } });
    includes(r, { attempt: 2 });
    assert.deepEqual(seen, [0, 1]);
    assert.deepEqual(k.calls.map((c) => Number(c.attr.config)), [1, 2, 3]);
    const none = scope.openBytes(bytes(1), {}, { orElse: () => undefined });
    includes(none, { errnoName: 'EINVAL' });
    const endless = stubKernel(() => ({ errno: E.EINVAL }));
    const s2 = openScope(endless);
    s2.openBytes(bytes(1), {}, { orElse: () => bytes(1) });
    assert.equal(endless.calls.length, 1 + OPEN_FALLBACKS, 'an orElse that never gives up is cut off');
    scope.dispose();
  });

  it('carries the size the kernel wrote back on E2BIG', () => {
    const k = stubKernel((_c, b) => {
      new DataView(b.buffer, b.byteOffset).setUint32(4, 120, true);
      return { errno: E.E2BIG, attrSize: 120 };
    });
    includes(openScope(k).open({ type: 1, config: 0 }), { errnoName: 'E2BIG', attrSize: 120 });
  });

  it('maps read-write, or read-only when asked, and unmaps on dispose', () => {
    let address = 0n;
    const k = stubKernel(() => 'fd');
    k.mmap = sinon.spy(() => ({ mapping: { address: ++address, length: 8192, buffer: new ArrayBuffer(8192) } }));
    const scope = openScope(k);
    const r = scope.open({ type: 1, config: 0 });
    assert.ok('fd' in r);
    scope.mmap(r.fd, 8192);
    scope.mmap(r.fd, 8192, { readOnly: true });
    const prots = (k.mmap as sinon.SinonSpy).getCalls().map((c) => c.args[2]);
    assert.deepEqual(prots, [PROT_READ | PROT_WRITE, PROT_READ]);
    assert.deepEqual(scope.held, { fds: 1, mappings: 2 });
    scope.dispose();
    assert.equal((k.munmap as sinon.SinonSpy).callCount, 2);
    assert.deepEqual(scope.held, { fds: 0, mappings: 0 });
  });
});
