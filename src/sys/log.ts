/**
 * Loggers under the `perfcompat:*` debug namespaces. Callers test `.enabled`
 * before formatting so that logging costs nothing when DEBUG is not set.
 */
import createDebug from 'debug';

export const sysLog = createDebug('perfcompat:sys');

/** A logger for another layer, e.g. logger('probe') → perfcompat:probe. */
export function logger(layer: string): createDebug.Debugger {
  return createDebug(`perfcompat:${layer}`);
}
