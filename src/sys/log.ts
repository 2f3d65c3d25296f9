/**
 * Loggers under the `perfcompat:*` debug namespaces. Callers test `.enabled`
 * before formatting so that logging costs nothing when DEBUG is not set.
 * The exported type is our own, so the published declarations do not need
 * debug's types (@types/debug is only a devDependency).
 */
import createDebug from 'debug';

/** A `debug` logger: call it like printf (%s %o %d), test `.enabled` first. */
export interface Logger {
  (formatter: unknown, ...args: unknown[]): void;
  readonly enabled: boolean;
  readonly namespace: string;
}

export const sysLog: Logger = createDebug('perfcompat:sys');

/** A logger for another layer, e.g. logger('probe') → perfcompat:probe. */
export function logger(layer: string): Logger {
  return createDebug(`perfcompat:${layer}`);
}
