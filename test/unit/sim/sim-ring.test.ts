/**
 * SimKernel's ring buffers (sim-mmap.ts, sim-ring.ts): the control page,
 * mmap's rules, PERF_RECORD_SAMPLE and PERF_RECORD_LOST records, poll,
 * backward rings, PAUSE_OUTPUT with PERF_FORMAT_LOST, and REFRESH n.
 */
import assert from 'node:assert/strict';
import {
  ERRNO, PERF_FORMAT, PERF_SAMPLE, PROT_READ, PROT_WRITE, MAP_SHARED, MMAP_PAGE, PERF_RECORD,
} from '../../../src/abi';
import { simulate } from '../../sim';
import { MANUAL, SW_CPU_CLOCK, HW_CYCLES, open, fdOf, ioc, readOne } from './sim-kernel-calls';

describe('SimKernel: mmap and samples', () => {
  it('maps a ring buffer with a control page whose capabilities follow the persona', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, HW_CYCLES));
    const r = kernel.mmap(fd, 4096 * 9, PROT_READ | PROT_WRITE, MAP_SHARED);
    assert.ok('mapping' in r);
    const dv = new DataView(r.mapping.buffer);
    const caps = dv.getBigUint64(MMAP_PAGE.capabilities.offset, true);
    assert.equal(caps & 1n, 0n, 'cap_bit0 always 0');
    assert.equal(caps & (1n << 1n), 2n, 'cap_bit0_is_deprecated');
    assert.equal(caps & (1n << 2n), 4n, 'cap_user_rdpmc on a hardware event');
    assert.equal(dv.getBigUint64(MMAP_PAGE.data_size.offset, true), 8n * 4096n);
    assert.deepEqual(kernel.munmap(r.mapping), { ok: true });
    assert.throws(() => kernel.munmap(r.mapping), RangeError);
  });

  it('refuses a ring that is not 1 + 2^n pages, or not MAP_SHARED', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, SW_CPU_CLOCK));
    assert.deepEqual(kernel.mmap(fd, 4096 * 4, PROT_READ, MAP_SHARED), { errno: ERRNO.EINVAL });
    assert.deepEqual(kernel.mmap(fd, 4096 * 3, PROT_READ, 2), { errno: ERRNO.EINVAL });
  });

  it('writes PERF_RECORD_SAMPLE records as work crosses the period, and poll sees them', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const st = PERF_SAMPLE.IP! | PERF_SAMPLE.TID! | PERF_SAMPLE.TIME! | PERF_SAMPLE.PERIOD!;
    const fd = fdOf(open(kernel, { ...SW_CPU_CLOCK, sample_period: 1000, sample_type: st }));
    const r = kernel.mmap(fd, 4096 * 3, PROT_READ | PROT_WRITE, MAP_SHARED);
    assert.ok('mapping' in r);
    assert.equal((kernel.poll([{ fd, events: 1 }], 0) as { ready: number }).ready, 0);
    kernel.work(3500);
    const dv = new DataView(r.mapping.buffer);
    const head = dv.getBigUint64(MMAP_PAGE.data_head.offset, true);
    assert.equal(head, 3n * 40n);
    assert.equal(dv.getUint32(4096, true), PERF_RECORD.SAMPLE);
    assert.equal(dv.getUint16(4096 + 6, true), 40);
    assert.equal(dv.getBigUint64(4096 + 8 + 24, true), 1000n, 'period');
    assert.equal((kernel.poll([{ fd, events: 1 }], 0) as { ready: number }).ready, 1);
  });

  it('a full buffer loses samples and reports them with PERF_RECORD_LOST once read', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, { ...SW_CPU_CLOCK, sample_period: 1, sample_type: PERF_SAMPLE.IP }));
    const r = kernel.mmap(fd, 4096 * 2, PROT_READ | PROT_WRITE, MAP_SHARED);
    assert.ok('mapping' in r);
    kernel.work(1000);
    const dv = new DataView(r.mapping.buffer);
    const head = dv.getBigUint64(MMAP_PAGE.data_head.offset, true);
    assert.equal(head, 4096n);
    assert.ok(kernel.event(fd)!.ring!.pendingLost > 0);
    dv.setBigUint64(MMAP_PAGE.data_tail.offset, head, true);
    kernel.work(1);
    assert.equal(dv.getUint32(4096 + Number(head % 4096n), true), PERF_RECORD.LOST);
  });
});

describe('SimKernel: backward rings, paused output, lost counts', () => {
  it('write_backward moves data_head down and writes each record at the new head', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, { ...SW_CPU_CLOCK, sample_period: 1000, sample_type: PERF_SAMPLE.IP, write_backward: 1 }));
    const r = kernel.mmap(fd, 4096 * 2, PROT_READ, MAP_SHARED);
    assert.ok('mapping' in r);
    kernel.work(2000);
    const dv = new DataView(r.mapping.buffer);
    const head = dv.getBigUint64(MMAP_PAGE.data_head.offset, true);
    assert.equal(head, BigInt.asUintN(64, -32n));
    assert.equal(dv.getUint32(4096 + 4096 - 32, true), PERF_RECORD.SAMPLE);
    assert.equal(dv.getUint16(4096 + 4096 - 32 + 6, true), 16);
  });

  it('PAUSE_OUTPUT drops samples and counts them lost; read() reports them with PERF_FORMAT_LOST', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fmt = PERF_FORMAT.LOST;
    const fd = fdOf(open(kernel, { ...SW_CPU_CLOCK, sample_period: 1000, sample_type: PERF_SAMPLE.IP, read_format: fmt }));
    const r = kernel.mmap(fd, 4096 * 2, PROT_READ | PROT_WRITE, MAP_SHARED);
    assert.ok('mapping' in r);
    assert.deepEqual(kernel.ioctl(fd, ioc(kernel, 'pause_output'), 1), { value: 0 });
    kernel.work(5000);
    const dv = new DataView(r.mapping.buffer);
    assert.equal(dv.getBigUint64(MMAP_PAGE.data_head.offset, true), 0n);
    assert.equal(readOne(kernel, fd, fmt).values[0]!.lost, 5n);
    kernel.ioctl(fd, ioc(kernel, 'pause_output'), 0);
    kernel.work(1000);
    assert.equal(dv.getUint32(4096, true), PERF_RECORD.LOST);
  });

  it('REFRESH n: the n-th overflow still writes its sample, then the event stops; REFRESH again re-arms it', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, { ...SW_CPU_CLOCK, disabled: 1, sample_period: 1000, sample_type: PERF_SAMPLE.IP }));
    const r = kernel.mmap(fd, 4096 * 2, PROT_READ | PROT_WRITE, MAP_SHARED);
    assert.ok('mapping' in r);
    const dv = new DataView(r.mapping.buffer);
    const head = (): bigint => dv.getBigUint64(MMAP_PAGE.data_head.offset, true);
    const record = 8 + 8; // header + IP
    assert.deepEqual(kernel.ioctl(fd, ioc(kernel, 'refresh'), 3), { value: 0 });
    kernel.work(1500);
    assert.equal(head(), 1n * BigInt(record), 'one overflow so far, the event still runs');
    kernel.work(10_000);
    assert.equal(head(), 3n * BigInt(record), 'exactly 3 samples');
    assert.equal(readOne(kernel, fd, 0n).values[0]!.value, 3000n, 'counting stopped at the 3rd overflow');
    kernel.work(10_000);
    assert.equal(readOne(kernel, fd, 0n).values[0]!.value, 3000n);
    assert.deepEqual(kernel.ioctl(fd, ioc(kernel, 'refresh'), 1), { value: 0 });
    kernel.work(10_000);
    assert.equal(head(), 4n * BigInt(record));
    assert.equal(readOne(kernel, fd, 0n).values[0]!.value, 4000n);
  });
});
