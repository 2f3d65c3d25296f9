/**
 * Kernel.watchReadable for the real kernel: a libuv poll handle on an fd,
 * calling back from Node's event loop, stopped for good at process exit.
 */
import koffi from 'koffi';
import type { ReadableWatch } from './kernel';
import { checkFd } from './checks';
import { sysLog } from './log';

/**
 * Watches still running when the process exits. A koffi poll handle left open
 * until Node tears down its handles aborts the process (napi_throw during
 * cleanup), so every live watch is stopped on 'exit'.
 */
const liveWatches = new Set<() => void>();
let exitHookInstalled = false;

function trackWatch(stop: () => void): void {
  liveWatches.add(stop);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const s of [...liveWatches]) {
      try {
        s();
      } catch {
        // nothing more can be done at exit
      }
    }
  });
}

export function watchReadable(fd: number, onReadable: () => void): ReadableWatch {
  checkFd(fd, 'watchReadable');
  if (typeof onReadable !== 'function') throw new RangeError('watchReadable: onReadable must be a function');
  // koffi.node.poll is a libuv poll handle: the callback runs on the event loop.
  // koffi 3.x passes a status number rather than the typed PollEvents
  // object; every call means the fd polled ready for what was asked, so
  // each one is a wake-up (the reader drains whatever is there).
  const handle = koffi.node.poll(fd, { readable: true, disconnect: true }, () => onReadable());
  // A watch alone must not keep the process alive (a sampler holds its own ref while iterated).
  handle.unref();
  let open = true;
  if (sysLog.enabled) sysLog('watchReadable(%d)', fd);
  const stop = (): void => {
    if (!open) return;
    open = false;
    liveWatches.delete(stop);
    handle.stop();
    handle.close();
    if (sysLog.enabled) sysLog('watchReadable(%d) stopped', fd);
  };
  trackWatch(stop);
  return {
    stop,
    ref: () => {
      if (open) handle.ref();
    },
    unref: () => {
      if (open) handle.unref();
    },
  };
}
