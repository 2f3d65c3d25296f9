/**
 * Mocha root hooks (loaded with --require, see .mocharc.json and the test:*
 * scripts): no test reads or writes the user's cache.
 *
 * When this file loads, before any spec file, it records the state of the
 * user's perfcompat cache directories, then points XDG_CACHE_HOME and HOME at
 * a fresh temporary directory (HOME too, so that code or a child that drops
 * XDG_CACHE_HOME never falls back to the real home). Every CLI child a test
 * spawns with process.env inherits both. After the run the temporary
 * directory is removed, and the run fails if a user cache directory changed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dirState, stateChange, userCacheDirs } from './cache-guard';

const realEnv = { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, HOME: process.env.HOME };
const guarded = userCacheDirs(process.env).map(dirState);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcompat-test-run-'));
const cacheHome = path.join(root, 'cache');
const home = path.join(root, 'home');
fs.mkdirSync(cacheHome, { mode: 0o700 });
fs.mkdirSync(home, { mode: 0o700 });
process.env.XDG_CACHE_HOME = cacheHome;
process.env.HOME = home;

/** The run's temporary XDG_CACHE_HOME and HOME, and the user cache directories guarded. */
export const testRun = {
  root,
  cacheHome,
  home,
  guardedDirs: guarded.map((s) => s.dir),
  /** XDG_CACHE_HOME and HOME as the run was started with. */
  realEnv,
};

export const mochaHooks = {
  afterAll(): void {
    process.env.XDG_CACHE_HOME = realEnv.XDG_CACHE_HOME;
    process.env.HOME = realEnv.HOME;
    if (realEnv.XDG_CACHE_HOME === undefined) delete process.env.XDG_CACHE_HOME;
    if (realEnv.HOME === undefined) delete process.env.HOME;
    fs.rmSync(root, { recursive: true, force: true });
    const changes = guarded.map((before) => stateChange(before, dirState(before.dir))).filter((c) => c !== '');
    if (changes.length > 0) throw new Error(`the test run touched the user's cache:\n${changes.join('\n')}`);
  },
};
