/**
 * A persona's tracefs, materialised as a small directory tree in the temp
 * directory (events/<subsystem>/<name>/{id,format}) so that code which reads
 * tracepoint ids from the Environment's tracefs finds the persona's ids.
 * One tree per distinct tracepoint list per process, removed at exit.
 */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PersonaTracepoint } from './persona';

const trees = new Map<string, string>();
let cleanup = false;

function format(tp: PersonaTracepoint): string {
  const [, name] = tp.name.split(':');
  return [
    `name: ${name}`, `ID: ${tp.id}`, 'format:',
    '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;',
    '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;',
    '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;',
    '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;',
    '', '\tfield:long value;\toffset:8;\tsize:8;\tsigned:1;', '', 'print fmt: "value=%ld", REC->value', '',
  ].join('\n');
}

/** The root of a tracefs tree holding these tracepoints. */
export function tracefsFor(tracepoints: readonly PersonaTracepoint[]): string {
  const key = tracepoints.map((t) => `${t.name}=${t.id}`).sort().join(',');
  const have = trees.get(key);
  if (have) return have;
  const root = mkdtempSync(join(tmpdir(), 'perfcompat-sim-tracefs-'));
  for (const tp of tracepoints) {
    const [sys, name] = tp.name.split(':');
    if (!sys || !name) continue;
    const dir = join(root, 'events', sys, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'id'), `${tp.id}\n`);
    writeFileSync(join(dir, 'format'), format(tp));
  }
  writeFileSync(join(root, 'available_events'), tracepoints.map((t) => t.name).join('\n') + '\n');
  trees.set(key, root);
  if (!cleanup) {
    cleanup = true;
    process.on('exit', () => {
      for (const dir of trees.values()) rmSync(dir, { recursive: true, force: true });
    });
  }
  return root;
}
