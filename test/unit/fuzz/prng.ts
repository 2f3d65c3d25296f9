/**
 * A small seeded PRNG (xorshift128+ seeded by splitmix64) so that every fuzz
 * failure reproduces from the seed it prints.
 */
export class Prng {
  private s0: bigint;
  private s1: bigint;
  readonly seed: bigint;

  constructor(seed: bigint) {
    this.seed = BigInt.asUintN(64, seed);
    let x = this.seed;
    const next = (): bigint => {
      x = BigInt.asUintN(64, x + 0x9e3779b97f4a7c15n);
      let z = x;
      z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
      z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
      return z ^ (z >> 31n);
    };
    this.s0 = next();
    this.s1 = next() | 1n;
  }

  /** 64 random bits. */
  u64(): bigint {
    let a = this.s0;
    const b = this.s1;
    this.s0 = b;
    a = BigInt.asUintN(64, a ^ (a << 23n));
    this.s1 = a ^ b ^ (a >> 17n) ^ (b >> 26n);
    return BigInt.asUintN(64, this.s1 + b);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Number(this.u64() % BigInt(Math.max(1, n)));
  }

  chance(p: number): boolean {
    return this.int(1_000_000) < p * 1_000_000;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 8) {
      const w = this.u64();
      for (let j = 0; j < 8 && i + j < n; j++) out[i + j] = Number((w >> BigInt(8 * j)) & 0xffn);
    }
    return out;
  }
}

/** The seed from PERFCOMPAT_FUZZ_SEED, or a fresh one. */
export function fuzzSeed(): bigint {
  const env = process.env.PERFCOMPAT_FUZZ_SEED;
  if (env !== undefined && env !== '') return BigInt(env);
  return BigInt.asUintN(64, BigInt(Date.now()) * 2654435761n + BigInt(process.pid));
}

/** Case count from PERFCOMPAT_FUZZ_CASES (default given). */
export function fuzzCases(dflt: number): number {
  const env = Number(process.env.PERFCOMPAT_FUZZ_CASES);
  return Number.isInteger(env) && env > 0 ? env : dflt;
}
