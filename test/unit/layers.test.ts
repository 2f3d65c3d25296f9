import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'perfcompat' && fs.existsSync(path.join(dir, 'src'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repo root not found');
    dir = up;
  }
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

const ROOT = repoRoot();
const FILES = [...tsFiles(path.join(ROOT, 'src')), ...tsFiles(path.join(ROOT, 'probes'))];
const rel = (f: string) => path.relative(ROOT, f);

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from\s*|require\(\s*|import\s*)['"](\.[^'"]+)['"]/g)) {
    out.push(rel(path.resolve(path.dirname(file), m[1])));
  }
  return out;
}

// Files over 400 lines today; the helpers splitting them empty this list.
const OVER_400_ALLOWED = new Set([
  'src/abi/records.ts',
  'src/shim/sampler.ts',
  'src/probe/behaviour-context.ts',
  'src/sys/real-kernel.ts',
]);

describe('layer rules', () => {
  it('src/env and src/events import nothing from src/probe', () => {
    const bad = FILES.filter((f) => /^src\/(env|events)\//.test(rel(f)))
      .flatMap((f) => imports(f).filter((i) => i.startsWith('src/probe')).map((i) => `${rel(f)} -> ${i}`));
    assert.deepEqual(bad, []);
  });

  it('src/probe never imports probes/', () => {
    const bad = FILES.filter((f) => rel(f).startsWith('src/probe/'))
      .flatMap((f) => imports(f).filter((i) => i.startsWith('probes')).map((i) => `${rel(f)} -> ${i}`));
    assert.deepEqual(bad, []);
  });

  it('nothing below src/cli imports src/cli', () => {
    const bad = FILES.filter((f) => !rel(f).startsWith('src/cli/'))
      .flatMap((f) => imports(f).filter((i) => i.startsWith('src/cli')).map((i) => `${rel(f)} -> ${i}`));
    assert.deepEqual(bad, []);
  });

  it('no file in src/ or probes/ is over 400 lines, except the listed ones', () => {
    const over = FILES.filter((f) => fs.readFileSync(f, 'utf8').split('\n').length - 1 > 400).map(rel)
      .filter((f) => !OVER_400_ALLOWED.has(f));
    assert.deepEqual(over, []);
  });
});
