/**
 * The shape of a probe declaration: data saying which base event a feature is
 * tested on, what it sets on top, what it needs first and how to read the
 * kernel's answer. Special cases (an ioctl on an open fd, an mmap, a group, a
 * measured value) use a small hook that gets a ProbeContext — never a copy of
 * the engine.
 */
import type { AttrInput } from '../abi/attr-codec';
import type { Mapping, NumResult, OpenResult, IoctlArg, Kernel } from '../sys/kernel';
import type { Environment, FeatureEntry, FeatureStatus } from '../model/capability-map';
import type { FeatureId } from '../model/feature-id';

/**
 * counting           software/cpu-clock, disabled, user space only (PMU-independent)
 * sampling           the same with a (never reached) sample period
 * dummy              software/dummy
 * hardware           hardware/cpu-cycles counting
 * hardware-sampling  hardware/cpu-cycles with a sample period
 * none               the declaration's `set` is the whole event (events, PMUs)
 */
export type BaseName = 'counting' | 'sampling' | 'dummy' | 'hardware' | 'hardware-sampling' | 'none';

export interface OpenTarget {
  pid?: number;
  cpu?: number;
  groupFd?: number;
  flags?: number;
}

export interface ProbeDeclaration {
  /** Feature id this declaration answers. */
  readonly id: FeatureId;
  /**
   * One line for people saying what the feature is (`probe explain` prints
   * it): for ids of the ABI tables their uapi name and description.
   */
  readonly description: string;
  /** One base, or candidates tried in order (the first that opens is used). */
  readonly base: BaseName | readonly BaseName[];
  /** Attr fields/flags set on top of the base. */
  readonly set?: AttrInput;
  /** pid/cpu/flags of the probe's open (default: this thread, any CPU). */
  readonly target?: OpenTarget;
  /** Feature ids that must be supported first; else this one is untestable. */
  readonly needs?: readonly FeatureId[];
  /**
   * Cross-check a refusal on an unregistered PMU type: attr validation
   * (perf_copy_attr, the open flags check) runs before the PMU lookup, so a
   * bit the kernel knows gets ENOENT there and an unknown bit EINVAL.
   */
  readonly oracle?: boolean;
  /** Status when the oracle says the kernel knows it but this base refuses it. */
  readonly whenKnown?: FeatureStatus;
  /** errno name → status, overriding the generic classification. */
  readonly errnos?: Readonly<Partial<Record<string, FeatureStatus>>>;
  /** One line for people, copied into the entry's reason when the kernel refuses. */
  readonly note?: string;
  /**
   * Mainline release, for ids that are not in the ABI tables (those get
   * theirs from src/abi/features.ts). Annotates the entry: a refusal on a
   * newer kernel is reported as `missing`, so only for ids whose answer is
   * "the kernel has it", not for combinations a PMU may lack.
   */
  readonly mainline?: string;
  /** A special case: the hook does the probe and returns the entry. */
  readonly hook?: (ctx: ProbeContext, decl: ProbeDeclaration) => FeatureEntry;
}

/** What a hook may use. Every fd and mapping it makes through here is closed by the engine. */
export interface ProbeContext {
  readonly kernel: Kernel;
  readonly env: Environment;
  /** The attr size probes encode at (the kernel's, capped at the newest this library knows). */
  readonly attrSize: number;
  /** Set the attr size later probes encode at (the attr.size probe does, once measured). */
  useAttrSize(bytes: number): void;
  /** Open an event (retrying EINTR/EAGAIN); the fd is tracked until close(). */
  open(attr: AttrInput, target?: OpenTarget, encoding?: AttrEncoding): OpenResult;
  close(fd: number): void;
  ioctl(fd: number, name: string, arg?: IoctlArg): NumResult;
  mmap(fd: number, length: number): Mapping | { errno: number };
  munmap(mapping: Mapping): void;
  /** Resolve a base: its attr and whether it opened. */
  base(name: BaseName | readonly BaseName[]): ResolvedBase;
  /**
   * Resolve a base and run `fn` with it and its label; when the base itself
   * is refused, answer that (denied, no-hardware, a fault of the moment…)
   * without running `fn`.
   */
  withBase(name: BaseName | readonly BaseName[], fn: (base: ResolvedBase, label: string) => FeatureEntry, opts?: WithBaseOptions): FeatureEntry;
  /**
   * The same for an event the hook opens itself as its base (a group leader
   * on a PMU of this machine): open `attr` (tracked, closed by the engine);
   * when it is refused, answer like a refused base labelled `label`; else
   * run `fn` with the fd.
   */
  withOpened(attr: AttrInput, label: string, fn: (fd: number) => FeatureEntry, opts?: WithBaseOptions): FeatureEntry;
  /** Another feature's entry (probing it first if needed). */
  entry(id: FeatureId): FeatureEntry;
  /** Classify a refusal of `decl` with errno, as the engine would. */
  refused(decl: ProbeDeclaration, errno: number, base: ResolvedBase, set?: AttrInput): FeatureEntry;
  /**
   * For a denied `entry` answering the open of `attr`: when the
   * user-space-only form of `attr` opens for this caller, the entry with
   * permittedWith (what the shim then uses), as standard declarations get;
   * else the entry. Only for an open that stands alone (not a group member).
   */
  permitted(entry: FeatureEntry, attr: AttrInput, target?: OpenTarget): FeatureEntry;
  /** Compute once per run (shared by sibling declarations, e.g. the mmap page). */
  memo<T>(key: string, fn: () => T): T;
  /** Busy work on this thread for about `cpuMs` of its CPU time: what an enabled task event counts (a sampling probe's work). */
  work(cpuMs: number): void;
}

/** What a feature id is, for people (`probe explain`): from its declaration. */
export interface FeatureDescription {
  readonly description: string;
  /** Mainline release that added it, where that is an ABI fact (an annotation, never a decision). */
  readonly mainline?: string;
}

/** Variants of the answer for a refused base. */
export interface WithBaseOptions {
  /** The answer's `base` field (default: the base's own label), e.g. the whole group a hook builds on it. */
  readonly answerBase?: string;
  /** The answer's reason, from the refusal's errno name (default: says which base did not open and why). */
  readonly reason?: (errnoName: string) => string;
}

/** How to encode the attr of one open: a size other than attrSize, a byte poked at an offset. */
export interface AttrEncoding {
  size?: number;
  poke?: { offset: number; value: number };
}

export interface ResolvedBase {
  readonly name: BaseName;
  readonly attr: AttrInput;
  /** undefined when the base opened; else the errno of the last candidate. */
  readonly errno?: number;
}
