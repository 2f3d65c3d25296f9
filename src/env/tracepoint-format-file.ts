/**
 * Read and parse a tracepoint's tracefs `format` file (events/<system>/<event>/format),
 * the description its RAW sample bytes are decoded by.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTracepointFormat, TracepointFormat } from '../abi/tracepoint-format';
import { PerfcompatError } from '../errors';
import { findTracefs } from './tracefs';

/** `name` is "system:event" (e.g. "sched:sched_switch"). */
export function readTracepointFormat(name: string, opts: { tracefsRoot?: string } = {}): TracepointFormat {
  const m = /^([\w.-]+):([\w.-]+)$/.exec(name);
  if (!m) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `tracepoint "${name}": expected "system:event", e.g. "sched:sched_switch"`);
  const where = findTracefs(opts.tracefsRoot);
  if (!where.ok) throw new PerfcompatError('ERR_PERF_UNAVAILABLE', `tracepoint ${name}: ${where.detail}`);
  const file = path.join(where.root, 'events', m[1]!, m[2]!, 'format');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'EIO';
    throw new PerfcompatError(code === 'ENOENT' ? 'ERR_EVENT_NAME' : 'ERR_PERF_UNAVAILABLE', `tracepoint ${name}: cannot read ${file} (${code})`);
  }
  return parseTracepointFormat(text);
}
