/**
 * Multiplex scaling: a counter that was on the PMU for only part of the time
 * it was enabled is extrapolated as value * enabled / running. Pure.
 */
import type { CounterValue } from './types';

export function counterValue(value: bigint, timeEnabled: bigint, timeRunning: bigint, lost?: bigint): CounterValue {
  const counted = timeRunning > 0n || timeEnabled === 0n;
  const multiplexed = timeRunning > 0n && timeRunning < timeEnabled;
  const scaled = !counted ? 0n : multiplexed ? (value * timeEnabled + timeRunning / 2n) / timeRunning : value;
  const out: CounterValue = { value, timeEnabled, timeRunning, scaled, multiplexed, counted };
  if (lost !== undefined) out.lost = lost;
  return out;
}

/** The same estimate as a double, for the allocation-free read path. */
export function scaledNumber(value: number, timeEnabled: number, timeRunning: number): number {
  if (timeRunning <= 0) return timeEnabled === 0 ? value : 0;
  return timeRunning < timeEnabled ? value * (timeEnabled / timeRunning) : value;
}
