/**
 * A strict TypeScript consumer of the packed package (skipLibCheck: false,
 * only the package's runtime dependencies and @types/node installed) type-checks
 * a typical program with node16 resolution from CommonJS and from ESM files and
 * with bundler resolution, using this checkout's own typescript. The ESM import
 * must resolve to ES-module declarations (.d.mts), not to the CommonJS ones.
 * Needs a build (dist/); takes a few seconds (one tsc per resolution mode).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installPacked, tscBin } from './packed';

// What a user writes after reading the README.
const PROGRAM = `
const caps = api.getCapabilities();
const size = caps.features['attr.size']?.value;
const ok: boolean = api.supports('attr.sigtrap');
const set = new api.EventSet({ policy: { fallback: 'software' } });
set.add('task-clock').add('page-faults');
set.start();
set.stop();
for (const v of set.readValues()) console.log(v.name, v.value, size, ok);
const ev = api.openEvent('task-clock');
ev.enable();
const count: bigint = ev.readCount().scaled;
ev.close();
console.log(count);
try { api.resolveEvent('no-such-event'); } catch (err) {
  if (err instanceof api.PerfcompatError) console.log(err.code);
}
`;

const ESM = `import * as api from 'perfcompat';\nimport perfcompat from 'perfcompat';\nimport { getCapabilities } from 'perfcompat';\n${PROGRAM}\nconsole.log(perfcompat.getCapabilities === getCapabilities);\nexport {};\n`;
const CJS = `import api = require('perfcompat');\n${PROGRAM}\nexport {};\n`;

interface Tsc { status: number | null; output: string; resolved: Map<string, string> }

/**
 * Run tsc on the project in dir (asynchronously: the projects check in
 * parallel); `resolved` maps each importing file to where 'perfcompat' resolved.
 */
async function tsc(dir: string): Promise<Tsc> {
  const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    execFile(process.execPath, [tscBin(), '-p', dir, '--traceResolution'], { cwd: dir, encoding: 'utf8', timeout: 100_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') reject(err);
      else resolve({ status: err === null ? 0 : (err.code as number), stdout, stderr });
    });
  });
  const resolved = new Map<string, string>();
  let from: string | undefined;
  const errors: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const start = /^======== Resolving module 'perfcompat' from '(.+)'\. ========$/.exec(line);
    if (start) { from = start[1]; continue; }
    const done = /^======== Module name 'perfcompat' was successfully resolved to '(.+?)'/.exec(line);
    if (done && from !== undefined) { resolved.set(from.replace(/^.*\//, ''), done[1] as string); from = undefined; continue; }
    if (/error TS\d+/.test(line)) errors.push(line);
  }
  return { status: r.status, output: errors.join('\n') + r.stderr, resolved };
}

function project(dir: string, compilerOptions: Record<string, unknown>, files: Record<string, string>, type: 'commonjs' | 'module'): void {
  mkdirSync(dir, { recursive: true });
  installPacked(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type }));
  const tsconfig = { compilerOptions: { strict: true, skipLibCheck: false, noEmit: true, target: 'ES2022', types: ['node'], ...compilerOptions }, files: Object.keys(files) };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

describe('package: a strict TypeScript consumer (skipLibCheck: false)', function () {
  this.timeout(120_000);
  let root: string;
  let node16: Tsc;
  let bundler: Tsc;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'perfcompat-consumer-ts-'));
    // A Node project without the DOM lib; the bundler one keeps the default libs (DOM included).
    project(join(root, 'node16'), { module: 'node16', moduleResolution: 'node16', lib: ['ES2022'] }, { 'main.cts': CJS, 'main.mts': ESM }, 'commonjs');
    project(join(root, 'bundler'), { module: 'esnext', moduleResolution: 'bundler' }, { 'main.ts': ESM }, 'module');
    [node16, bundler] = await Promise.all([tsc(join(root, 'node16')), tsc(join(root, 'bundler'))]);
  });
  after(() => { rmSync(root, { recursive: true, force: true }); });

  it('node16 resolution: a CommonJS file and an ESM file type-check; the ESM one gets .d.mts', () => {
    assert.equal(node16.status, 0, node16.output);
    assert.match(node16.resolved.get('main.cts') ?? '', /\/node_modules\/perfcompat\/.+\.d\.ts$/);
    assert.match(node16.resolved.get('main.mts') ?? '', /\/node_modules\/perfcompat\/.+\.d\.mts$/, 'node16 ESM import masquerades as CJS');
  });

  it('bundler resolution: an ESM program type-checks against the .d.mts', () => {
    assert.equal(bundler.status, 0, bundler.output);
    assert.match(bundler.resolved.get('main.ts') ?? '', /\/node_modules\/perfcompat\/.+\.d\.mts$/);
  });
});
