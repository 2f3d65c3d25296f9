/**
 * The user-space counter stubs on this kernel: the code page is mapped,
 * made executable and called through koffi (the self-test stub returns its
 * argument, the timestamp stub reads the clock); a refused mprotect (as
 * SELinux execmem or a seccomp filter refuses it) leaves no stub, unmaps
 * the page and is remembered, while a passing failure is tried again.
 * No stub that needs a PMU runs here.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { ERRNO } from '../../../src/abi/errno';
import { PROT_EXEC, PROT_READ } from '../../../src/abi/ioctl';
import type { Kernel } from '../../../src/sys/kernel';
import { RealKernel } from '../../../src/sys/real-kernel';
import { stubCode, userCounterStubs } from '../../../src/sys/user-counter';

const HAS_STUB = stubCode(process.arch) !== undefined;

describe('sys/userCounterStubs on this kernel', () => {
  afterEach(() => sinon.restore());

  it('maps the stubs executable and calls them through koffi: identity returns its argument, numbers and u64 bigints alike', function () {
    if (!HAS_STUB) { console.log(`      skipped: no stub for ${process.arch}`); this.skip(); }
    const k = new RealKernel();
    const r = userCounterStubs(k);
    assert.ok('stubs' in r, `no stubs: ${'reason' in r ? r.reason : ''}`);
    for (const x of [0, 1, 0xffff_ffff, 2 ** 52 + 5]) assert.equal(Number(r.stubs.identity(x)), x);
    const wide = (1n << 63n) + 12345n;
    assert.equal(BigInt((r.stubs.identity as unknown as (v: bigint) => bigint)(wide)), wide, 'all 64 bits come back');
    const t1 = BigInt(r.stubs.timestamp());
    const t2 = BigInt(r.stubs.timestamp());
    assert.ok(t1 > 0n && t2 >= t1, `the timestamp counter reads ${t1} then ${t2}`);
    assert.equal(userCounterStubs(k), r, 'one code page per kernel');
  });

  it('an mprotect refused with EACCES or EPERM: no stub, the reason names it, the page is unmapped, and the refusal is remembered', function () {
    if (!HAS_STUB) this.skip();
    for (const errno of [ERRNO.EACCES!, ERRNO.EPERM!]) {
      const k = new RealKernel();
      const mprotect = sinon.stub(k, 'mprotect').returns({ errno });
      const mmapAnon = sinon.spy(k, 'mmapAnon');
      const munmap = sinon.spy(k, 'munmap');
      const r = userCounterStubs(k);
      assert.ok('reason' in r);
      assert.match(r.reason, /executable memory is refused/);
      assert.equal(r.errno, errno);
      assert.deepEqual(mprotect.firstCall.args[1], PROT_READ | PROT_EXEC);
      assert.equal(munmap.callCount, 1);
      assert.equal(munmap.firstCall.args[0], mmapAnon.firstCall.returnValue && 'mapping' in mmapAnon.firstCall.returnValue ? mmapAnon.firstCall.returnValue.mapping : undefined);
      assert.equal(userCounterStubs(k), r);
      assert.equal(mmapAnon.callCount, 1, 'not tried again');
    }
  });

  it('a passing failure (ENOMEM) is not remembered: the next set tries again', function () {
    if (!HAS_STUB) this.skip();
    const k = new RealKernel();
    const mprotect = sinon.stub(k, 'mprotect').returns({ errno: ERRNO.ENOMEM! });
    const first = userCounterStubs(k);
    assert.ok('reason' in first && /ENOMEM/.test(first.reason));
    mprotect.restore();
    assert.ok('stubs' in userCounterStubs(k));
  });

  it('an architecture without a stub, and a kernel without executable memory, give a reason and run nothing', () => {
    const base = { name: 'stand-in', host: false, pageSize: () => 4096 } as unknown as Kernel;
    const noArch = userCounterStubs({ ...base, arch: 'riscv64' } as Kernel);
    assert.ok('reason' in noArch && /no user-space counter stub for riscv64/.test(noArch.reason));
    const noSeam = userCounterStubs({ ...base, arch: 'x64' } as Kernel);
    assert.ok('reason' in noSeam && /offers no executable memory/.test(noSeam.reason));
  });

  it('the arm64 counter stub jumps into a table of 32 entries: PMEVCNTR0..30_EL0, then PMCCNTR_EL0, each followed by ret', () => {
    const code = stubCode('arm64')!;
    const word = (b: number[], i: number): number => (b[i * 4]! | (b[i * 4 + 1]! << 8) | (b[i * 4 + 2]! << 16) | (b[i * 4 + 3]! << 24)) >>> 0;
    const w = (i: number): number => word(code.counter, i);
    const RET = word(code.identity, 0);
    const field = (x: number, lo: number, bits: number): number => Math.floor(x / 2 ** lo) % 2 ** bits;
    assert.equal(code.counter.length, 4 * (4 + 64));
    for (let n = 0; n < 32; n++) {
      const mrs = w(4 + 2 * n);
      // MRS: bits 31..20 = 0xd53 (L=1, op0=3); op1 3; Rt 0.
      assert.equal(field(mrs, 20, 12), 0xd53, `entry ${n} is an MRS`);
      assert.equal(field(mrs, 16, 3), 3);
      const [crn, crm, op2] = [field(mrs, 12, 4), field(mrs, 8, 4), field(mrs, 5, 3)];
      if (n < 31) assert.deepEqual([crn, crm, op2], [14, 8 + (n >> 3), n & 7], `entry ${n}: PMEVCNTR${n}_EL0`);
      else assert.deepEqual([crn, crm, op2], [9, 13, 0], 'entry 31: PMCCNTR_EL0');
      assert.equal(field(mrs, 0, 5), 0, 'into x0');
      assert.equal(w(5 + 2 * n), RET, 'ret');
    }
  });
});
