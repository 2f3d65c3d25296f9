/** The kernel's sampling rate limit, which it lowers itself when sampling interrupts take long. */
import { join, readTrimmed } from './read-file';

/** /proc/sys/kernel/perf_event_max_sample_rate (samples per second), or null when unreadable. */
export function readMaxSampleRate(procRoot = '/proc'): number | null {
  const text = readTrimmed(join(procRoot, 'sys/kernel/perf_event_max_sample_rate'));
  if (text === null || !/^\d+$/.test(text)) return null;
  return Number(text);
}
