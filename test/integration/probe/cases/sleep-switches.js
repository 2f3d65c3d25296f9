// A behaviour case with a hook: plain CommonJS, nothing to build.
// Context switches happen in the kernel, so the case needs kernel counting
// (access.kernel); where perf_event_paranoid refuses it, it is skipped.
module.exports = {
  name: 'sleep_switches',
  description: 'a 20 ms sleep is at least one context switch',
  needs: ['access.kernel'],
  run(ctx) {
    const ev = ctx.open({ type: 'software', config: 'context_switches' });
    ctx.enable(ev);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    ctx.disable(ev);
    const switches = Number(ctx.read(ev).values[0].value);
    return switches >= 1
      ? ctx.ok({ switches })
      : ctx.broken(`${switches} context switches across a 20 ms sleep`, { switches });
  },
};
