/**
 * A child that outlives the wait is killed by the check's cleanup, and the
 * waits are long enough for a kernel booted under emulation.
 */
import assert from 'node:assert/strict';
import { StoppedChild, taskState, sleepMs } from '../../../src/probe/behaviour-child';
import { BehaviourContext } from '../../../src/probe/behaviour-context';
import { realKernel } from '../../../src/sys/real-kernel';

function gone(pid: number): boolean {
  for (let i = 0; i < 2000; i++) {
    const s = taskState(pid);
    if (s === null || s === 'Z' || s === 'X') return true;
    sleepMs(1);
  }
  return false;
}

describe('behaviour checks: child processes', () => {
  it('a child that does not exit in time is reported by waitExit and killed by dispose', () => {
    const ctx = new BehaviourContext(realKernel());
    const child = ctx.stoppedChild(['/bin/sleep', '30']);
    assert.equal(taskState(child.pid), 'T');
    child.resume();
    assert.equal(child.waitExit(50), false);
    const running = taskState(child.pid);
    assert.ok(running !== null && running !== 'Z' && running !== 'T', `the child runs before cleanup (state ${running})`);
    ctx.dispose();
    assert.ok(gone(child.pid), `child ${child.pid} still running after dispose: ${taskState(child.pid)}`);
  });

  it('a child that exits is seen to exit', () => {
    const child = StoppedChild.start(BehaviourContext.shellSpin(100));
    child.resume();
    assert.equal(child.waitExit(), true);
    child.kill();
  });
});
