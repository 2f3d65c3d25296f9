import assert from 'node:assert/strict';
import { ARCHES, archAbi, ioc, IOCTL_ENCODING_GENERIC, IOCTL_ENCODING_POWERPC, perfIoctlTable } from '../../../src/abi/ioctl';

describe('abi/ioctl', () => {
  it('computes the asm-generic perf ioctl numbers of a 64-bit kernel', () => {
    assert.deepEqual(perfIoctlTable(archAbi('x64')), {
      enable: 0x2400, disable: 0x2401, refresh: 0x2402, reset: 0x2403, period: 0x40082404,
      set_output: 0x2405, set_filter: 0x40082406, id: 0x80082407, set_bpf: 0x40042408,
      pause_output: 0x40042409, query_bpf: 0xc008240a, modify_attributes: 0x4008240b,
    });
    assert.deepEqual(perfIoctlTable(archAbi('arm64')), perfIoctlTable(archAbi('x64')));
  });

  it('sizes pointer-typed ioctls by the pointer width on 32-bit kernels', () => {
    const t = perfIoctlTable(archAbi('arm'));
    assert.equal(t.set_filter, 0x40042406);
    assert.equal(t.id, 0x80042407);
    assert.equal(t.period, 0x40082404); // __u64, not a pointer
  });

  it('uses the powerpc/mips/sparc/alpha direction encoding', () => {
    const t = perfIoctlTable(archAbi('ppc64'));
    assert.equal(t.enable, 0x20002400); // _IOC_NONE = 1 << 29
    assert.equal(t.period, 0x80082404); // _IOC_WRITE = 4 << 29
    assert.equal(t.id, 0x40082407); // _IOC_READ = 2 << 29
    assert.equal(t.query_bpf, 0xc008240a);
    for (const a of ['mips', 'mipsel', 'mips64el', 'sparc64', 'alpha']) assert.equal(ARCHES[a]!.ioctl, IOCTL_ENCODING_POWERPC, a);
    for (const a of ['x64', 'ia32', 'arm', 'arm64', 'riscv64', 's390x', 'loong64']) assert.equal(ARCHES[a]!.ioctl, IOCTL_ENCODING_GENERIC, a);
  });

  it('rejects sizes that do not fit the encoding and unknown architectures', () => {
    assert.throws(() => ioc(IOCTL_ENCODING_POWERPC, 'read', 0x24, 1, 1 << 13), /13 bits/);
    assert.equal(ioc(IOCTL_ENCODING_GENERIC, 'read', 0x24, 1, (1 << 14) - 1) >>> 16 & 0x3fff, (1 << 14) - 1);
    assert.throws(() => archAbi('pdp11'), /unsupported architecture "pdp11"/);
  });

  it('knows the perf_event_open syscall number of each architecture', () => {
    const nr = Object.fromEntries(Object.entries(ARCHES).map(([k, v]) => [k, v.nrPerfEventOpen]));
    assert.equal(nr.x64, 298); assert.equal(nr.ia32, 336); assert.equal(nr.arm64, 241); assert.equal(nr.arm, 364);
    assert.equal(nr.riscv64, 241); assert.equal(nr.ppc64, 319); assert.equal(nr.s390x, 331); assert.equal(nr.loong64, 241);
  });
});
