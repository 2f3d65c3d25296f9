// @perfcompat/mitata-counters: the @mitata/counters interface over perfcompat.
// Install it under mitata's name:  "@mitata/counters": "npm:@perfcompat/mitata-counters@^0.1"
// (with perfcompat beside it). mitata imports it, calls init() once per
// benchmark (never deinit), before()/after() around every sample and
// translate(batch, samples) for the numbers it prints.
//
// init() throws a PerfcompatError when a counter mitata's formatter needs
// (cycles, instructions, branch-misses, cache-references, cache-misses)
// cannot count here; mitata then prints no counter line, rather than zeros
// and NaN. No stand-in is ever used: mitata would print it as cycles.

let api;
let loadError;
try {
  api = await import('perfcompat/counters');
} catch (err) {
  loadError = err;
}

/** What mitata's formatter reads, by the name mitata gives it. */
export const EVENTS = Object.freeze({
  cycles: 'cycles',
  instructions: 'instructions',
  branches: 'branches',
  branchMisses: 'branch-misses',
  cacheReferences: 'cache-references',
  cacheMisses: 'cache-misses',
});

/** Needed for mitata's counter lines (branches is optional: mitata prints no line of it). */
const NEEDED = ['cycles', 'instructions', 'branch-misses', 'cache-references', 'cache-misses'];

function unavailable(message, cause) {
  if (api) return new api.PerfcompatError('ERR_PERF_UNAVAILABLE', message, cause ? { cause } : {});
  const e = new Error(message, cause ? { cause } : undefined);
  e.name = 'PerfcompatError';
  e.code = 'ERR_PERF_UNAVAILABLE';
  return e;
}

/**
 * The mitata counters interface over a perfcompat provider. `options` are the
 * provider's (kernel, capabilities, environment, uname for a simulated kernel);
 * the events are always the ones above.
 */
export function createCounters(options = {}) {
  let provider = null;
  let missing = [];

  function close() {
    if (provider) provider.close();
    provider = null;
  }

  return {
    init() {
      if (!api) throw unavailable(`@perfcompat/mitata-counters: perfcompat is not installed beside it (${loadError?.message ?? 'import failed'}); npm install perfcompat`, loadError);
      close(); // mitata calls init() per benchmark and never deinit(): one set open at a time
      const p = api.counters({ ...options, events: Object.values(EVENTS), standIns: false });
      p.init();
      // One round now, so that an event that opens but never gets on the PMU is found here, not in mitata's output.
      p.before();
      p.after(1);
      missing = p.missing.filter((m) => NEEDED.includes(m.name));
      p.reset();
      if (missing.length > 0) {
        p.close();
        throw new api.PerfcompatError('ERR_PERF_UNAVAILABLE', `@perfcompat/mitata-counters: mitata's counters need ${NEEDED.join(', ')}; not countable here: ${missing.map((m) => m.reason).join('; ')}`);
      }
      provider = p;
    },
    before() {
      if (provider) provider.before();
    },
    after() {
      if (provider) provider.after(1);
    },
    translate(batch = 1, samples = 1) {
      if (!provider) return undefined;
      const v = provider.values();
      const stat = (name) => {
        const e = v.events[name];
        if (!e) return null;
        return { min: e.raw.min / batch, max: e.raw.max / batch, avg: e.raw.total / batch / samples };
      };
      // mitata calls translate() outside any try and prints counter lines when the result is truthy:
      // a counter that did not count in any sample gives undefined (no lines), never a 0 or NaN.
      const cycles = stat('cycles');
      const instructions = stat('instructions');
      const _bmispred = stat('branch-misses');
      const refs = stat('cache-references');
      const misses = stat('cache-misses');
      if (!cycles || !instructions || !_bmispred || !refs || !misses) return undefined;
      const b = stat('branches');
      const branches = b ? { mispredicted: _bmispred, ...b } : null;
      return { cache: { ...refs, misses }, cycles, branches, _bmispred, instructions };
    },
    deinit() {
      close();
    },
  };
}

const instance = createCounters();

export const init = instance.init;
export const before = instance.before;
export const after = instance.after;
export const translate = instance.translate;
export const deinit = instance.deinit;
