/**
 * Hand-made capability maps and a sinon-stubbed Kernel for the shim's unit
 * tests: the map says exactly what a test needs, and the stub records the
 * attr bytes the shim sent.
 */
import sinon from 'sinon';
import { decodeAttr, DecodedAttr } from '../../../src/abi/attr-codec';
import { CAPABILITY_SCHEMA, CapabilityMap, Environment, FeatureEntry } from '../../../src/model/capability-map';
import type { Kernel } from '../../../src/sys/kernel';

export function environment(over: Partial<Environment> = {}): Environment {
  return {
    arch: 'x64', paranoid: 2, euid: 1000,
    capabilities: { effective: '0000000000000000', perfmon: false, sysAdmin: false, bpf: false },
    seccomp: { mode: 0, filters: 0 }, container: [],
    pmus: [
      { name: 'software', type: 1, formats: {}, caps: {}, events: [] },
      { name: 'tracepoint', type: 2, formats: {}, caps: {}, events: [] },
      { name: 'cpu', type: 4, formats: {}, caps: {}, events: [], core: true },
    ],
    bootId: null, tracefs: null,
    ...over,
  };
}

/** A map where attr.size is 136 and FD_CLOEXEC works, plus `features`. */
export function mapWith(features: Record<string, FeatureEntry> = {}, env: Partial<Environment> = {}): CapabilityMap {
  return {
    schema: CAPABILITY_SCHEMA, engineVersion: 'test',
    kernel: { release: '6.18.0-test', version: '#1', machine: 'x86_64', semver: '6.18.0' },
    environment: environment(env),
    features: {
      'attr.size': { status: 'supported', value: 136 },
      'open_flags.fd_cloexec': { status: 'supported' },
      ...features,
    },
    durationMs: 0, createdAt: '2026-01-01T00:00:00.000Z', source: 'probe',
  };
}

export const unsupported = (errno = 22, errnoName = 'EINVAL'): FeatureEntry => ({ status: 'unsupported', errno, errnoName });
export const supported = (value?: number | string): FeatureEntry => (value === undefined ? { status: 'supported' } : { status: 'supported', value });
export const noHardware = (): FeatureEntry => ({ status: 'no-hardware', errno: 2, errnoName: 'ENOENT' });

export interface StubKernel extends Kernel {
  perfEventOpen: sinon.SinonStub;
  read: sinon.SinonStub;
  ioctl: sinon.SinonStub;
  close: sinon.SinonStub;
  fcntl: sinon.SinonStub;
}

/** A kernel that opens everything (fds from 10 up) and reads zeros, unless a test says otherwise. */
export function stubKernel(): StubKernel {
  let next = 10;
  const k = {
    name: 'stub', arch: 'x64',
    perfEventOpen: sinon.stub().callsFake(() => ({ fd: next++ })),
    read: sinon.stub().callsFake((_fd: number, _buf: Uint8Array, len?: number) => ({ bytes: len ?? _buf.byteLength })),
    ioctl: sinon.stub().returns({ value: 0 }),
    close: sinon.stub().returns({ ok: true }),
    fcntl: sinon.stub().callsFake((_fd: number, cmd: number) => (cmd === 1 ? { value: 0 } : { value: 0 })),
    mmap: sinon.stub().returns({ errno: 19 }),
    munmap: sinon.stub().returns({ ok: true }),
    prctl: sinon.stub().returns({ value: 0 }),
    poll: sinon.stub().returns({ ready: 0, revents: [] }),
    pageSize: () => 4096,
  };
  return k as unknown as StubKernel;
}

/** The attr the shim passed on the n-th perf_event_open call. */
export function sentAttr(k: StubKernel, call = 0): DecodedAttr {
  return decodeAttr(k.perfEventOpen.getCall(call).args[0] as Uint8Array);
}

/** Little-endian u64 words into a buffer the way read() fills it. */
export function fillWords(buf: Uint8Array, words: readonly (number | bigint)[]): number {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  words.forEach((w, i) => dv.setBigUint64(i * 8, BigInt(w), true));
  return words.length * 8;
}
