/**
 * The package entry (dist/src/index.js, made lazy by scripts/make-entry.js):
 * `require('perfcompat')` loads nothing before a name is used and then only
 * that name's module; it exposes exactly the values its declarations
 * (index.d.ts, from src/index.ts) name, each the very object of the module that
 * declares it; the ES module facade exposes the same names and objects; and a
 * name first used on its own finds the probe catalogue installed, as the eager
 * entry did. Each process is fresh, so nothing another test loaded counts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as ts from 'typescript';

const DIST = path.join(__dirname, '..', '..', '..');
const ENTRY = path.join(DIST, 'src', 'index.js');
const ESM = path.join(DIST, 'esm', 'index.mjs');

/** Run a script in a fresh node and parse the JSON it prints last. */
function fresh<T>(script: string, type: 'commonjs' | 'module' = 'commonjs'): T {
  const r = spawnSync(process.execPath, [...(type === 'module' ? ['--input-type=module'] : []), '-e', script], { encoding: 'utf8', timeout: 50_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as T;
}

/** Loaded modules of this package, relative to dist/src, after the script ran. */
function loadedAfter(script: string): string[] {
  return fresh<string[]>(`const e = require(${JSON.stringify(ENTRY)}); ${script};
    console.log(JSON.stringify(Object.keys(require.cache).filter((f) => f.startsWith(${JSON.stringify(path.join(DIST, 'src') + path.sep)})).map((f) => f.slice(${path.join(DIST, 'src').length + 1}))));`);
}

function isTypeOnlyAlias(d: ts.Declaration): boolean {
  if (ts.isExportSpecifier(d) || ts.isImportSpecifier(d)) return d.isTypeOnly || d.parent.parent.isTypeOnly;
  if (ts.isImportClause(d)) return d.isTypeOnly;
  return false;
}

/** Each value export the declarations name: [exported name, dist .js file declaring it, its name there]. */
function declaredValues(): Array<[string, string, string]> {
  const dts = path.join(DIST, 'src', 'index.d.ts');
  const program = ts.createProgram([dts], { noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(dts);
  assert.ok(file, 'no dist/src/index.d.ts: build first');
  const moduleSymbol = checker.getSymbolAtLocation(file);
  assert.ok(moduleSymbol);
  const out: Array<[string, string, string]> = [];
  for (const s of checker.getExportsOfModule(moduleSymbol)) {
    // `export type { X }` anywhere along the chain makes X a type here, even when X is a class.
    let typeOnly = false;
    let target = s;
    while (target.flags & ts.SymbolFlags.Alias) {
      if ((target.declarations ?? []).some(isTypeOnlyAlias)) typeOnly = true;
      const next = checker.getImmediateAliasedSymbol(target);
      if (next === undefined) break;
      target = next;
    }
    if (typeOnly || (target.flags & ts.SymbolFlags.Value) === 0) continue;
    const decl = target.declarations?.[0];
    assert.ok(decl, `${s.name}: no declaration`);
    out.push([s.name, decl.getSourceFile().fileName.replace(/\.d\.ts$/, '.js'), target.name]);
  }
  return out;
}

describe('package entry: lazy, and the same surface as its declarations', function () {
  this.timeout(60_000);

  it('require() loads the entry alone; a name loads its own module, not the rest of the package', () => {
    assert.deepEqual(loadedAfter(''), ['index.js']);
    const caps = loadedAfter('void e.getCapabilities');
    assert.ok(caps.includes('root/index.js') && caps.includes('probe/capabilities.js'), caps.join(' '));
    for (const dir of ['shim/', 'counters/', 'events/']) {
      assert.deepEqual(caps.filter((f) => f.startsWith(dir)), [], `getCapabilities loaded ${dir}`);
    }
    const abi = loadedAfter('void e.encodeAttr');
    assert.deepEqual(abi.filter((f) => !f.startsWith('abi/') && f !== 'index.js' && f !== 'errors.js'), [], 'an abi name loaded more than src/abi');
  });

  it('exposes exactly the value exports index.d.ts declares, each the declaring module\'s own object', () => {
    const declared = declaredValues();
    const names = fresh<string[]>(`console.log(JSON.stringify(Object.keys(require(${JSON.stringify(ENTRY)}))))`);
    assert.deepEqual([...names].sort(), declared.map(([n]) => n).sort());
    const mismatched = fresh<string[]>(`const e = require(${JSON.stringify(ENTRY)}); const d = ${JSON.stringify(declared)};
      console.log(JSON.stringify(d.filter(([n, file, key]) => e[n] !== require(file)[key]).map(([n]) => n)));`);
    assert.deepEqual(mismatched, []);
  });

  it('the ES module facade exposes the same names and the same objects', () => {
    const r = fresh<{ esm: string[]; differ: string[] }>(`import * as ns from ${JSON.stringify(ESM)};
      import { createRequire } from 'node:module';
      const cjs = createRequire(import.meta.url)(${JSON.stringify(ENTRY)});
      const esm = Object.keys(ns).filter((n) => n !== 'default');
      console.log(JSON.stringify({ esm, differ: Object.keys(cjs).filter((n) => ns[n] !== cjs[n]).concat(ns.default === cjs ? [] : ['default']) }));`, 'module');
    const names = fresh<string[]>(`console.log(JSON.stringify(Object.keys(require(${JSON.stringify(ENTRY)}))))`);
    assert.deepEqual([...r.esm].sort(), [...names].sort());
    assert.deepEqual(r.differ, []);
  });

  it('a behaviour-runner name used first finds the built-in checks (the catalogue is installed)', () => {
    const r = fresh<{ code: string; message: string }>(`try { require(${JSON.stringify(ENTRY)}).runBehaviourTests({ only: ['no-such-check'] }); console.log('{}'); }
      catch (err) { console.log(JSON.stringify({ code: err.code, message: err.message })); }`);
    assert.equal(r.code, 'ERR_INVALID_ARGUMENT');
    assert.match(r.message, /no such behaviour check; valid are 1\.\.[1-9]/);
  });
});
