/**
 * The CapabilityMap: plain JSON with a versioned schema. Every entry carries
 * its evidence. This is the contract between the probe engine, the shim, the
 * CLI and users; schema/capabilities.schema.json describes the same shape.
 */



export const CAPABILITY_SCHEMA = 'perfcompat/capabilities@1';

/**
 * supported    the kernel accepted it on a base that works
 * unsupported  the kernel does not know it / rejects it where the base alone is accepted
 * denied       known but not permitted for this caller (EACCES, EPERM)
 * no-hardware  the PMU or event is absent on this machine (ENOENT, ENODEV, PMU EOPNOTSUPP)
 * untestable   no base could be opened to test it on
 * error        a fault of the moment (EMFILE, ENOMEM, EBUSY, EINTR after retries) — never cached
 * broken       accepted, but the behaviour is wrong (behaviour checks only)
 */
export type FeatureStatus = 'supported' | 'unsupported' | 'denied' | 'no-hardware' | 'untestable' | 'error' | 'broken';

export const FEATURE_STATUSES: readonly FeatureStatus[] = [
  'supported', 'unsupported', 'denied', 'no-hardware', 'untestable', 'error', 'broken',
];

export interface FeatureEntry {
  status: FeatureStatus;
  /** errno of the deciding answer (absent when the kernel accepted). */
  errno?: number;
  errnoName?: string;
  /** Mainline release that introduced the feature (annotation only). */
  mainline?: string;
  /** The answer disagrees with the kernel's version: newer feature works, or older one is refused. */
  anomaly?: 'backported' | 'missing';
  /** A measured value: attr.size bytes, highest precise_ip, largest schedulable group, … */
  value?: number | string | boolean;
  /** Base event the probe opened first (e.g. "software/cpu-clock"). */
  base?: string;
  /** What the probe set on top of the base, e.g. { "sigtrap": 1, "remove_on_exec": 1 }. */
  set?: Record<string, number | string>;
  /** Feature ids this one needed first. */
  needs?: string[];
  /** Set when the answer was inferred rather than observed directly, saying from what. */
  inferredFrom?: string;
  /** One line for people: why this status. */
  reason?: string;
  /** Behaviour checks: what was measured against what was expected. */
  measured?: Record<string, number | string | boolean>;
  /**
   * On a `denied` entry: the attr fields under which the same open is
   * permitted for this caller (its user-space-only form, e.g.
   * { exclude_kernel: 1, exclude_hv: 1 }), measured; absent when no such form
   * opens. The shim uses it rather than refusing.
   */
  permittedWith?: Record<string, number | string>;
}

/** One events/ alias of a PMU: what its name stands for. */
export interface PmuEventAlias {
  /** The alias file's content, e.g. "event=0x3c,umask=0x01". */
  terms: string;
  /** From events/<name>.scale, when present and a finite number. */
  scale?: number;
  /** From events/<name>.unit, when present. */
  unit?: string;
}

export interface PmuInfo {
  name: string;
  /** perf_event_attr.type for this PMU. */
  type: number;
  /** format/ files: term → "config:0-7" etc. */
  formats: Record<string, string>;
  /** caps/ files: name → content. */
  caps: Record<string, string>;
  /** Names in events/ (aliases), without .scale/.unit. */
  events: string[];
  /**
   * The events/ aliases with their terms, .scale and .unit, so that names
   * resolve against this machine's description (a dump, another kernel).
   * Present when the PMU has events; absent in maps made by perfcompat 0.1.
   */
  aliases?: Record<string, PmuEventAlias>;
  /** The cpumask file, else (core PMUs) the cpus file. */
  cpumask?: string;
  /** A core PMU (see src/env/core-pmu.ts isCorePmu) that generic hardware events map to. */
  core?: boolean;
}

export interface Environment {
  arch: string;
  /** /proc/sys/kernel/perf_event_paranoid, or null when unreadable. */
  paranoid: number | null;
  euid: number;
  capabilities: {
    /** CapEff from /proc/self/status, hex. */
    effective: string;
    perfmon: boolean;
    sysAdmin: boolean;
    bpf: boolean;
  };
  /** Seccomp mode from /proc/self/status: 0 none, 1 strict, 2 filter; null unknown. */
  seccomp: { mode: number | null; filters: number | null };
  /** Hints that this is a container or VM (e.g. "/.dockerenv", "hypervisor cpu flag"). */
  container: string[];
  pmus: PmuInfo[];
  bootId: string | null;
  /** Where tracefs was found, or null. */
  tracefs: string | null;
  /**
   * kernel.perf_user_access (arm64 since 5.17: 1 lets a task read the
   * counters of its events that asked with config1:rdpmc); null when the
   * sysctl is absent or unreadable; absent in maps made before it was read.
   */
  perfUserAccess?: number | null;
}

/** What uname(2) says: -r, -v, -m. */
export interface Uname {
  release: string;
  version: string;
  machine: string;
}

export interface CapabilityMap {
  schema: typeof CAPABILITY_SCHEMA;
  /** perfcompat package version that produced the map. */
  engineVersion: string;
  kernel: {
    /** uname -r, e.g. "5.10.0-32-cloud-amd64". */
    release: string;
    /** uname -v. */
    version: string;
    /** uname -m. */
    machine: string;
    /** The release coerced to semver ("5.10.0"), for annotations only; null when it cannot be. */
    semver: string | null;
  };
  environment: Environment;
  /** Keyed by feature id: attr.*, read_format.*, sample_type.*, branch_sample_type.*,
   *  open_flags.*, ioctl.*, event.*, pmu.*, mmap.*, combo.*, behaviour.* */
  features: Record<string, FeatureEntry>;
  /** Wall time the probe took, ms. */
  durationMs: number;
  /** ISO time the map was made. */
  createdAt: string;
  /** 'probe' when made now, 'cache' when read from the cache. */
  source: 'probe' | 'cache';
}
