/**
 * Exit status 3 when perf_event_open cannot be used at all, with the cause in
 * one stderr line: under a seccomp filter that refuses the syscall (a small C
 * launcher compiled here with cc), and off Linux. Also: the CLI run in-process
 * leaves no file descriptor behind.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { closesSettled } from '../../../src/root';
import { oneLine, runCli } from '../../unit/cli/run-cli';
import { ownCache } from '../../helpers/own-cache';
import { tracefsHere, tracefsUnusableAnswer } from '../../helpers/tracefs-answer';
import { fdChanges, openFds } from '../../helpers/fds';

const LAUNCHER_C = `
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
/* usage: launcher ERRNO CMD ARGS... : run CMD with perf_event_open failing with ERRNO */
int main(int argc, char **argv) {
  if (argc < 3) return 125;
  unsigned ret = SECCOMP_RET_ERRNO | ((unsigned)atoi(argv[1]) & SECCOMP_RET_DATA);
  struct sock_filter f[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_perf_event_open, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, ret),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = { sizeof f / sizeof f[0], f };
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) { perror("PR_SET_NO_NEW_PRIVS"); return 126; }
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) { perror("PR_SET_SECCOMP"); return 126; }
  execvp(argv[2], argv + 2);
  perror("execvp");
  return 127;
}
`;


class Sink {
  text = '';
  isTTY = false;
  write(s: string): boolean { this.text += s; return true; }
}

describe('probe CLI when perf_event_open is unusable', () => {
  ownCache(); // what other suites cached must not change what these tests see
  let dir: string;
  let launcher: string | undefined;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'perfcompat-seccomp-'));
    writeFileSync(join(dir, 'launcher.c'), LAUNCHER_C);
    const cc = spawnSync('cc', ['-O1', '-o', join(dir, 'launcher'), join(dir, 'launcher.c')], { encoding: 'utf8' });
    if (cc.error === undefined && cc.status === 0) launcher = join(dir, 'launcher');
    else if (cc.error === undefined) assert.fail(`cc failed: ${cc.stderr}`);
  });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  for (const [errno, name] of [[1, 'EPERM'], [38, 'ENOSYS']] as const) {
    it(`exits 3 and names seccomp when a filter makes perf_event_open fail with ${name}`, function () {
      if (launcher === undefined) this.skip(); // no C compiler on this machine
      for (const args of [['--refresh'], ['--json', '--refresh'], ['explain', 'read_format.lost', '--refresh'], ['stat', '--refresh', '--', 'true']]) {
        const r = runCli(args, { command: [launcher as string, String(errno), process.execPath] });
        assert.equal(r.status, 3, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
        assert.equal(r.stdout, '');
        assert.match(oneLine(r.stderr), /^probe: perf_event_open is not usable here: .*seccomp/);
      }
    });
  }

  it('shows the stack trace only with DEBUG=perfcompat:*', function () {
    if (launcher === undefined) this.skip();
    const r = runCli(['--refresh'], { command: [launcher as string, '1', process.execPath], env: { DEBUG: 'perfcompat:*' } });
    assert.equal(r.status, 3);
    assert.match(r.stderr, /^\s+at /m);
  });

  it('exits 3 off Linux, saying so, before loading the kernel bindings', async () => {
    const desc = Object.getOwnPropertyDescriptor(process, 'platform') as PropertyDescriptor;
    const out = new Sink();
    const err = new Sink();
    Object.defineProperty(process, 'platform', { ...desc, value: 'darwin' });
    let code: number;
    try {
      code = await main(['--json'], { stdout: out, stderr: err, env: {} });
    } finally {
      Object.defineProperty(process, 'platform', desc);
    }
    assert.equal(code, 3);
    assert.equal(out.text, '');
    assert.equal(err.text, 'probe: perf_event_open is not usable here: it exists only on Linux, and this is darwin\n');
  });

  it('leaves no file descriptor open after report, explain and list run in-process', async () => {
    await main(['--json'], { stdout: new Sink(), stderr: new Sink(), env: {} }); // warm the lazy loads
    await closesSettled(); // the probe closes its tracepoint fds off the thread
    const before = openFds();
    const tracefs = tracefsHere();
    for (const argv of [['--json', '--refresh'], ['--all'], ['explain', 'read_format.lost'], ['list', 'sched:sched_switch']]) {
      const out = new Sink();
      const err = new Sink();
      const code = await main(argv, { stdout: out, stderr: err, env: {} });
      if (argv[0] === 'list' && !tracefs.ok) {
        // No tracefs here: the list answers why (exit 2), and still leaves no fd behind.
        assert.equal(code, 2, `${argv.join(' ')}: ${out.text}${err.text}`);
        assert.match(oneLine(err.text), tracefsUnusableAnswer(tracefs));
        continue;
      }
      assert.equal(code, 0, `${argv.join(' ')}: ${err.text}`);
      assert.ok(out.text.length > 0);
    }
    await closesSettled();
    assert.deepEqual(fdChanges(before), []);
  });
});
