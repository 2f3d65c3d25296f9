/**
 * counters({ events }): a counters provider for any benchmark loop.
 *
 *   const c = counters({ events: ['cycles', 'instructions', 'task-clock'] });
 *   c.init();
 *   for (…) { c.before(); work(); c.after(iterations); }
 *   console.log(JSON.stringify(c.values()));
 *   c.close();
 *
 * Each round is one before()/after() pair. values() gives min, max and mean
 * per event over the rounds, raw and per iteration, and the derived metrics
 * where both of their events counted. An event that could not be opened, or
 * never got on the PMU, is under `missing` with the reason: never a 0.
 */
import { PerfcompatError } from '../errors';
import { Derived } from './derived';
import { Driver } from './driver';
import { Accumulator } from './stats';
import { DEFAULT_EVENTS, type CountersOptions, type CountersValues, type EventReport, type MissingEvent } from './types';

interface Series {
  raw: Accumulator;
  perIteration: Accumulator;
  uncounted: number;
  multiplexed: number;
}

const NEVER_RAN = 'enabled but never scheduled on its PMU (time_running 0 in every round): the PMU had no free counter for it, or it cannot count this task here';

function checkedEvents(events: unknown): readonly string[] {
  if (events === undefined) return DEFAULT_EVENTS;
  if (!Array.isArray(events) || events.length === 0 || !events.every((e) => typeof e === 'string' && e.trim() !== '')) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `counters({ events }): events must be a non-empty array of event names (e.g. ['cycles', 'instructions', 'task-clock']), got ${JSON.stringify(events)}`);
  }
  return events as string[];
}

export class Counters {
  private readonly opts: CountersOptions;
  private readonly names: readonly string[];
  private driver: Driver | undefined;
  private series: Series[] = [];
  private derived: Derived | undefined;
  private elapsed = new Accumulator();
  private iterations = 0;
  private started = false;
  private closedOnce = false;

  constructor(opts: CountersOptions = {}) {
    if (opts.scope !== undefined && opts.scope !== 'thread' && opts.scope !== 'process') {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', `counters({ scope }): "${String(opts.scope)}" is not a scope; use 'thread' (default) or 'process'`);
    }
    this.opts = opts;
    this.names = checkedEvents(opts.events);
  }

  /**
   * Open the events (closing what an earlier init() opened). Throws a
   * PerfcompatError only when perf_event_open is not usable at all
   * (ERR_PERF_UNAVAILABLE); single events that cannot count go to `missing`.
   */
  init(): this {
    this.close();
    this.driver = new Driver(this.names, this.opts);
    this.reset();
    return this;
  }

  /** The events that count, by report key. */
  get events(): string[] { return this.driver?.events.map((e) => e.key) ?? []; }

  /** The events that do not, with their reasons (those that never ran appear after a round). */
  get missing(): MissingEvent[] { return Object.values(this.values().missing); }

  /** Forget the rounds so far (the events stay open). */
  reset(): void {
    const n = this.driver?.events.length ?? 0;
    this.series = Array.from({ length: n }, () => ({ raw: new Accumulator(), perIteration: new Accumulator(), uncounted: 0, multiplexed: 0 }));
    this.derived = this.driver ? new Derived(this.driver.events) : undefined;
    this.elapsed = new Accumulator();
    this.iterations = 0;
    this.started = false;
  }

  private live(op: string): Driver {
    if (!this.driver) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `counters.${op}(): call init() first${this.closedOnce ? ' (the provider was closed)' : ''}`);
    return this.driver;
  }

  /** Start a round. */
  before(): void {
    this.live('before').begin();
    this.started = true;
  }

  /** End the round started by before(); `iterations` is how many times the work ran in it (default 1). */
  after(iterations = 1): void {
    const d = this.live('after');
    if (!this.started) throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'counters.after(): no round started; call before() first');
    if (!Number.isFinite(iterations) || iterations <= 0) {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', `counters.after(iterations): ${iterations} is not a positive number of iterations`);
    }
    const round = d.end();
    const elapsed = round.elapsedNs;
    this.started = false;
    this.elapsed.add(elapsed);
    this.iterations += iterations;
    round.values.forEach((v, i) => {
      const s = this.series[i]!;
      if (v === undefined) { s.uncounted++; return; }
      if (round.multiplexed[i]) s.multiplexed++;
      s.raw.add(v);
      s.perIteration.add(v / iterations);
    });
    this.derived!.add(round.values, elapsed);
  }

  /** The report so far: plain JSON. */
  values(): CountersValues {
    const d = this.driver;
    const events: Record<string, EventReport> = {};
    const missing: Record<string, MissingEvent> = {};
    for (const m of d?.missing ?? []) missing[m.name] = { ...m };
    d?.events.forEach((e, i) => {
      const s = this.series[i]!;
      if (s.raw.n === 0 && s.uncounted > 0) {
        missing[e.key] = { name: e.key, reason: `${e.name}: ${NEVER_RAN}` };
        return;
      }
      const r: EventReport = {
        name: e.name, requested: e.requested, rounds: s.raw.n, uncountedRounds: s.uncounted, multiplexedRounds: s.multiplexed,
        raw: s.raw.stat(), perIteration: s.perIteration.stat(), adaptations: [...e.adaptations],
      };
      if (e.standInFor !== undefined) r.standInFor = e.standInFor;
      if (e.unit !== undefined) r.unit = e.unit;
      events[e.key] = r;
    });
    return {
      scope: this.opts.scope ?? 'thread', rounds: this.elapsed.n, iterations: this.iterations, threads: d?.threads ?? 0,
      elapsedNs: this.elapsed.stat(), events, missing, derived: this.derived?.report() ?? {},
    };
  }

  /** Close every event. init() opens them again. */
  close(): void {
    if (this.driver) this.closedOnce = true;
    this.driver?.close();
    this.driver = undefined;
  }

  [Symbol.dispose](): void { this.close(); }
}

/** A counters provider over `events` (default DEFAULT_EVENTS); nothing is opened before init(). */
export function counters(opts: CountersOptions = {}): Counters {
  return new Counters(opts);
}
