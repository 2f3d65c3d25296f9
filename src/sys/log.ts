/**
 * Loggers under the `perfcompat:*` debug namespaces. Callers test `.enabled`
 * before formatting so that logging costs nothing when DEBUG is not set.
 * The `debug` package itself is loaded only when DEBUG is set at start-up
 * (it reads DEBUG once, when loaded); otherwise every logger is a disabled
 * no-op. The exported type is our own, so the published declarations do not
 * need debug's types (@types/debug is only a devDependency).
 */
/* eslint-disable @typescript-eslint/no-require-imports */

/** A `debug` logger: call it like printf (%s %o %d), test `.enabled` first. */
export interface Logger {
  (formatter: unknown, ...args: unknown[]): void;
  readonly enabled: boolean;
  readonly namespace: string;
}

function disabledLogger(namespace: string): Logger {
  const log = (() => undefined) as (formatter: unknown, ...args: unknown[]) => void;
  return Object.assign(log, { enabled: false, namespace });
}

function createLogger(namespace: string): Logger {
  const wanted = process.env.DEBUG;
  if (wanted === undefined || wanted === '') return disabledLogger(namespace);
  return (require('debug') as typeof import('debug'))(namespace);
}

export const sysLog: Logger = createLogger('perfcompat:sys');

/** A logger for another layer, e.g. logger('probe') → perfcompat:probe. */
export function logger(layer: string): Logger {
  return createLogger(`perfcompat:${layer}`);
}
