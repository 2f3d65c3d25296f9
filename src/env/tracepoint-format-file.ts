/**
 * Read and parse a tracepoint's tracefs `format` file (events/<system>/<event>/format),
 * the description its RAW sample bytes are decoded by.
 */
import { clipText, invalidArgument, shownValue } from '../abi/args';
import { READ_LIMITS, readTextBounded } from './bounded-read';
import * as path from 'node:path';
import { parseTracepointFormat, TracepointFormat } from '../abi/tracepoint-format';
import { PerfcompatError } from '../errors';
import { findTracefs } from './tracefs';

/** `name` is "system:event" (e.g. "sched:sched_switch"). */
export function readTracepointFormat(name: string, opts: { tracefsRoot?: string } = {}): TracepointFormat {
  const m = typeof name === 'string' && name.length <= 512 ? /^([\w.-]+):([\w.-]+)$/.exec(name) : null;
  if (opts === null || typeof opts !== 'object') throw invalidArgument('readTracepointFormat', 'opts', opts, 'an object { tracefsRoot?: string }');
  if (opts.tracefsRoot !== undefined && typeof opts.tracefsRoot !== 'string') throw invalidArgument('readTracepointFormat', 'opts.tracefsRoot', opts.tracefsRoot, 'a directory path');
  if (!m) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `readTracepointFormat: name ${shownValue(name)}: expected "system:event", e.g. "sched:sched_switch"`);
  const where = findTracefs(opts.tracefsRoot);
  if (!where.ok) throw new PerfcompatError('ERR_PERF_UNAVAILABLE', `tracepoint ${name}: ${clipText(where.detail, 200)}`);
  const file = path.join(where.root, 'events', m[1]!, m[2]!, 'format');
  let text: string;
  try {
    text = readTextBounded(file, READ_LIMITS.kernelFile, 'tracefs format file');
  } catch (e) {
    if (e instanceof PerfcompatError) throw e;
    const code = (e as { code?: string }).code ?? 'EIO';
    throw new PerfcompatError(code === 'ENOENT' ? 'ERR_EVENT_NAME' : 'ERR_PERF_UNAVAILABLE', `tracepoint ${name}: cannot read ${clipText(file, 200)} (${code})`);
  }
  return parseTracepointFormat(text);
}
