/**
 * The probe on this kernel with RLIMIT_NOFILE lowered (prlimit on a child)
 * and the child's fds filled up to a few below the limit, so that the probe
 * runs out mid-way: entries hit by EMFILE are `error`, never `unsupported`,
 * and the map is not cached.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERRNO } from '../../../src/abi';
import { mapScript, parseChild, PROJECT_ROOT, which } from './fault-harness';

const LIMIT = 256;

/**
 * Fill the child's fd table to the limit and free `free` fds before probing;
 * with `after`, the process takes the remaining fds once the probe has made
 * that many perf_event_open calls (running out mid-way, as when another part
 * of a program opens files while the probe runs).
 */
function fill(free: number, after?: number): string {
  return `
    const fs = require('node:fs');
    const held = [];
    const take = () => { for (;;) { try { held.push(fs.openSync('/dev/null', 'r')); } catch (e) { if (e.code === 'EMFILE') return; throw e; } } };
    take();
    for (let i = 0; i < ${free}; i++) fs.closeSync(held.pop());
    ${after === undefined ? '' : `
    const k = require(${JSON.stringify(join(PROJECT_ROOT, 'dist', 'src', 'sys', 'real-kernel'))}).realKernel();
    const open = k.perfEventOpen.bind(k);
    let calls = 0;
    k.perfEventOpen = (...a) => { if (++calls === ${after}) take(); return open(...a); };`}
  `;
}

describe('faults: RLIMIT_NOFILE runs out during the probe (real kernel)', function () {
  this.timeout(180_000);
  let dir: string;

  before(function () {
    if (!which('prlimit')) { console.log('      skipped: prlimit (util-linux) is not installed'); this.skip(); }
  });
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'perfcompat-emfile-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const [free, after, what] of [[0, undefined, 'no fd free'], [8, 60, 'the fds running out after 60 opens']] as const) {
    it(`with ${what}: EMFILE entries are error, none unsupported for it, nothing cached`, () => {
      const cache = join(dir, 'perfcompat');
      const r = spawnSync('prlimit', [`--nofile=${LIMIT}:${LIMIT}`, process.execPath, '-e', mapScript(PROJECT_ROOT, fill(free, after))], {
        encoding: 'utf8', env: { ...process.env, FAULT_CACHE_DIR: cache, DEBUG: '' },
      });
      const out = parseChild(r, 'probe with few fds');
      if (!out.ok) {
        // Not probing at all is acceptable only as one clear error that names the fd shortage.
        assert.match(out.message ?? '', /EMFILE|file descriptor/i, `${out.code}: ${out.message}`);
      } else {
        const feats = out.features!;
        const hit = Object.entries(feats).filter(([, e]) => e.errno === ERRNO.EMFILE || e.errnoName === 'EMFILE' || e.measured?.errnoName === 'EMFILE');
        assert.ok(hit.length > 0, 'the probe must have run out of fds');
        const wrong = hit.filter(([, e]) => e.status !== 'error').map(([id, e]) => `${id}: ${e.status} (${e.reason ?? ''})`);
        assert.deepEqual(wrong, [], 'EMFILE must give error');
        const reference = parseChild(spawnSync(process.execPath, ['-e', mapScript(PROJECT_ROOT)], { encoding: 'utf8' }), 'reference probe');
        const madeUnsupported = Object.entries(feats)
          .filter(([id, e]) => e.status === 'unsupported' && reference.features?.[id]?.status !== 'unsupported')
          .map(([id, e]) => `${id}: unsupported here, ${reference.features?.[id]?.status} with enough fds (${e.reason ?? ''})`);
        assert.deepEqual(madeUnsupported, []);
      }
      assert.ok(!existsSync(cache) || readdirSync(cache).filter((f) => f.endsWith('.json')).length === 0, 'nothing cached');
    });
  }
});
