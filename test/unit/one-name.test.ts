/**
 * Each exported name means one thing: no two modules of src/ and probes/
 * declare an export of the same name (two findTracefs, two OpenOptions, …
 * were twins that drifted apart). Re-exports (`export { x } from`) are fine.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

function repoRoot(): string {
  let dir = __dirname;
  while (!(fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'src')))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repo root not found');
    dir = up;
  }
  return dir;
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

describe('one name, one meaning', () => {
  it('no exported name is declared by two modules of src/ or probes/', () => {
    const root = repoRoot();
    const where = new Map<string, string[]>();
    for (const file of [...tsFiles(path.join(root, 'src')), ...tsFiles(path.join(root, 'probes'))]) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^export\s+(?:declare\s+)?(?:abstract\s+)?(?:interface|type|class|function\*?|const|let|enum)\s+([A-Za-z_$][\w$]*)/gm)) {
        const list = where.get(m[1]!) ?? [];
        list.push(path.relative(root, file));
        where.set(m[1]!, list);
      }
    }
    assert.ok(where.size > 100, 'the scan found the exports');
    const twins = [...where].filter(([, files]) => files.length > 1).map(([name, files]) => `${name}: ${files.join(', ')}`);
    assert.deepEqual(twins, []);
  });
});
