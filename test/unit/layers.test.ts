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

// Layers, lowest first: a file may import its own layer or a lower one, never a
// higher one. src/errors.ts is imported from src/abi, so it sits at the bottom
// with it. probe, events and probes/ share a rank (peers, with the extra rules below).
const LAYERS: readonly (readonly [rank: number, prefix: string])[] = [
  [0, 'src/abi/'], [0, 'src/errors.ts'],
  [1, 'src/sys/'],
  [2, 'src/model/'],
  [3, 'src/env/'],
  [4, 'src/open/'],
  [5, 'src/probe/'], [5, 'src/events/'], [5, 'probes/'],
  [6, 'src/root/'],
  [7, 'src/shim/'],
  [8, 'src/counters/'],
  [9, 'src/cli/'],
  [10, 'src/index.ts'],
];

export function layerOf(file: string): number {
  const hit = LAYERS.find(([, prefix]) => (prefix.endsWith('/') ? file.startsWith(prefix) : file === prefix));
  if (!hit) throw new Error(`${file} is in no layer: add its folder to LAYERS in test/unit/layers.test.ts`);
  return hit[0];
}

/** Relative module specifiers of import / export-from / require / import() with a static string. */
export function specifiers(text: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\brequire\(\s*|\bimport\(\s*|^\s*import\s+)['"](\.[^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) out.push(m[1]!);
  return out;
}

function resolveIn(known: ReadonlySet<string>, from: string, spec: string): string {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  const hit = [`${base}.ts`, `${base}/index.ts`, base].find((c) => known.has(c));
  if (!hit) throw new Error(`${from} imports ${spec}, which is no file under src/ or probes/`);
  return hit;
}

export type Graph = ReadonlyMap<string, readonly string[]>;

function buildGraph(): Graph {
  const names = FILES.map(rel);
  const known = new Set(names);
  return new Map(names.map((f) => [f, specifiers(fs.readFileSync(path.join(ROOT, f), 'utf8')).map((s) => resolveIn(known, f, s))]));
}

/** Every edge from a lower layer to a higher one. */
export function upwardEdges(g: Graph, rank: (f: string) => number): string[] {
  return [...g].flatMap(([f, to]) => to.filter((t) => rank(t) > rank(f)).map((t) => `${f} -> ${t}`));
}

/** The first import circle found by a depth-first walk, as a path that ends where it starts; undefined if none. */
export function findCycle(g: Graph): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): string[] | undefined => {
    state.set(f, 'open');
    stack.push(f);
    for (const t of g.get(f) ?? []) {
      if (state.get(t) === 'open') return [...stack.slice(stack.indexOf(t)), t];
      if (!state.has(t)) {
        const c = visit(t);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(f, 'done');
    return undefined;
  };
  for (const f of [...g.keys()].sort()) {
    if (!state.has(f)) {
      const c = visit(f);
      if (c) return c;
    }
  }
  return undefined;
}

const GRAPH = buildGraph();

function imports(file: string): string[] {
  return [...(GRAPH.get(rel(file)) ?? [])];
}

// probes/ may import abi, sys, model, env and the probe declaration contract
// (src/probe/contract.ts, declaration.ts, behaviour-types.ts) — nothing else of
// src/probe: what a hook or a behaviour check needs is on the context it is handed.
const PROBE_CONTRACT = new Set(['src/probe/contract.ts', 'src/probe/declaration.ts', 'src/probe/behaviour-types.ts']);

// Files over 400 lines today: none; never grow this list.
const OVER_400_ALLOWED = new Set<string>([]);

describe('layer rules', () => {
  it('every file under src/ and probes/ has a layer, and no import goes to a higher layer', () => {
    assert.deepEqual(upwardEdges(GRAPH, layerOf), []);
  });

  it('there is no import circle between files', () => {
    const cycle = findCycle(GRAPH);
    assert.equal(cycle, undefined, `import circle: ${cycle?.join(' -> ')}`);
  });

  it('probes/ imports from src/probe only the declaration contract', () => {
    const bad = [...GRAPH].filter(([f]) => f.startsWith('probes/'))
      .flatMap(([f, to]) => to.filter((t) => t.startsWith('src/probe/') && !PROBE_CONTRACT.has(t)).map((t) => `${f} -> ${t}`));
    assert.deepEqual(bad, []);
  });

  it('src/events imports nothing from src/probe or probes/ (peers, not users)', () => {
    const bad = [...GRAPH].filter(([f]) => f.startsWith('src/events/'))
      .flatMap(([f, to]) => to.filter((t) => t.startsWith('src/probe/') || t.startsWith('probes/')).map((t) => `${f} -> ${t}`));
    assert.deepEqual(bad, []);
  });

  describe('the checker itself', () => {
    const rank = (f: string) => ({ a: 0, b: 1, c: 2 } as Record<string, number>)[f]!;

    it('finds an upward edge', () => {
      const g: Graph = new Map([['a', ['b']], ['b', []], ['c', ['a']]]);
      assert.deepEqual(upwardEdges(g, rank), ['a -> b']);
    });

    it('finds a circle and names its path', () => {
      const g: Graph = new Map([['a', []], ['b', ['c']], ['c', ['a', 'b']]]);
      assert.deepEqual(findCycle(g), ['b', 'c', 'b']);
      assert.equal(findCycle(new Map([['a', []], ['b', ['a']], ['c', ['a', 'b']]])), undefined);
    });

    it('reads import, export-from, require and import() specifiers', () => {
      const text = [
        "import { x } from './a';", "import type { T } from '../b';", "export { y } from './c';",
        "export * from './d';", "import './e';", "const f = require('./f');", "const g = await import('./g');",
        "import { readFileSync } from 'node:fs';",
      ].join('\n');
      assert.deepEqual(specifiers(text), ['./a', '../b', './c', './d', './e', './f', './g']);
    });

    it('knows the layer of every folder and refuses a file in none', () => {
      assert.equal(layerOf('src/errors.ts'), layerOf('src/abi/errno.ts'));
      assert.ok(layerOf('src/sys/kernel.ts') < layerOf('src/model/feature-id.ts'));
      assert.ok(layerOf('src/model/feature-id.ts') < layerOf('src/env/index.ts'));
      assert.ok(layerOf('src/env/index.ts') < layerOf('src/probe/engine.ts'));
      assert.equal(layerOf('probes/index.ts'), layerOf('src/events/index.ts'));
      assert.ok(layerOf('src/root/index.ts') < layerOf('src/shim/index.ts'));
      assert.ok(layerOf('src/shim/index.ts') < layerOf('src/counters/index.ts'));
      assert.ok(layerOf('src/counters/index.ts') < layerOf('src/cli/main.ts'));
      assert.ok(layerOf('src/cli/main.ts') < layerOf('src/index.ts'));
      assert.throws(() => layerOf('src/elsewhere/x.ts'), /in no layer/);
    });
  });

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
