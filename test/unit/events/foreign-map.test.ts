/**
 * Names resolved for another kernel's map (a simulated kernel here, a --from
 * dump in the CLI) take PMUs and tracefs from the map's environment, never
 * from this machine's /sys.
 */
import assert from 'node:assert/strict';
import { getCapabilities } from '../../../src/root';
import { listEvents, parseEventList, resolveEvent } from '../../../src/events';
import { readPmus } from '../../../src/env/pmus';
import { readEnvironment } from '../../../src/env/environment';
import { readTracepointId } from '../../../src/env/tracefs';
import { openEvent } from '../../../src/shim/perf-event';
import { PERF_TYPE, PERF_PMU_TYPE_SHIFT } from '../../../src/abi/constants';
import type { CapabilityMap } from '../../../src/model/capability-map';
import { simulate, type Simulation } from '../../sim';
import { throwsEventName } from './assert-event-error';

describe('events: names resolve against the map of another kernel', () => {
  const host = readPmus('/sys');
  // A type number this machine gives no PMU, so a host read cannot produce it.
  const msrType = Math.max(30, ...host.map((p) => p.type)) + 7;
  let sim: Simulation;
  let map: CapabilityMap;

  before(() => {
    sim = simulate('vm-no-pmu', { extraPmus: [{ name: 'msr', type: msrType, events: { tsc: 0, aperf: 1, mperf: 2 } }] });
    map = getCapabilities({ ...sim, cache: false });
  });

  const simMsr = () => sim.environment.pmus.find((p) => p.name === 'msr')!;

  it('msr/tsc/ and the bare alias tsc take the simulated PMU type', () => {
    assert.notEqual(host.find((p) => p.name === 'msr')?.type, simMsr().type);
    for (const name of ['msr/tsc/', 'tsc', 'msr/aperf/']) {
      const ev = resolveEvent(name, { capabilities: map });
      assert.equal(ev.attr.type, simMsr().type, name);
      assert.equal(ev.pmu, 'msr', name);
    }
    assert.equal(resolveEvent('msr/aperf/', { capabilities: map }).attr.config, 1n);
  });

  it('the shim opens msr/tsc/ on the simulated kernel with the simulated type', () => {
    const ev = openEvent('msr/tsc/', { kernel: sim.kernel, capabilities: map });
    try {
      assert.equal(ev.attr.type, simMsr().type);
    } finally {
      ev.close();
    }
  });

  it('a PMU only this machine has is not found for the simulated map, and the error names the PMUs there', function () {
    const names = new Set(sim.environment.pmus.map((p) => p.name));
    const hostOnly = host.find((p) => !names.has(p.name));
    if (!hostOnly) this.skip();
    const e = throwsEventName(() => resolveEvent(`${hostOnly!.name}/config=0/`, { capabilities: map }), /unknown PMU/);
    const listed = /PMUs in the capability map's environment: (.*)$/.exec(e.message)?.[1]?.split(', ');
    assert.deepEqual(listed, [...names].sort());
  });

  it('listEvents lists the simulated PMU aliases and none of this machine only', () => {
    const names = new Set(sim.environment.pmus.map((p) => p.name));
    const pmuRows = listEvents({ capabilities: map }).filter((e) => e.kind === 'pmu');
    assert.deepEqual(pmuRows.map((e) => e.name).sort(), ['msr/aperf/', 'msr/mperf/', 'msr/tsc/']);
    assert.ok(pmuRows.every((e) => names.has(e.pmu)));
  });

  it('tracepoints come from the simulated tracefs, tracefs of this machine or not', () => {
    const tracefs = sim.environment.tracefs!;
    const found = readTracepointId(tracefs, 'sched', 'sched_switch');
    assert.ok('id' in found);
    const ev = resolveEvent('sched:sched_switch', { capabilities: map });
    assert.equal(ev.attr.type, PERF_TYPE.TRACEPOINT);
    assert.equal(ev.attr.config, BigInt(found.id));
  });

  it('a dump that names PMU events without their terms (perfcompat 0.1) refuses them by name, never with a made-up config', () => {
    const pmus = map.environment.pmus.map((p) => {
      if (p.name !== 'msr') return p;
      const { aliases: _dropped, ...old } = p;
      return old;
    });
    const old = { ...map, environment: { ...map.environment, pmus } };
    for (const name of ['msr/tsc/', 'tsc']) {
      throwsEventName(() => resolveEvent(name, { capabilities: old }), /event tsc of PMU msr: the capability map names it without its terms/);
    }
    assert.equal(resolveEvent('msr/config=0x1/', { capabilities: old }).attr.type, simMsr().type);
  });

  it('a map whose machine had no tracefs resolves no tracepoint', () => {
    const none = { ...map, environment: { ...map.environment, tracefs: null } };
    throwsEventName(() => resolveEvent('sched:sched_switch', { capabilities: none }), /tracefs is not mounted: the capability map's environment has no tracefs/);
  });

  it('a hybrid simulated kernel splits generic events over its own core PMUs', () => {
    const hybrid = simulate('hybrid-alderlake');
    const hmap = getCapabilities({ ...hybrid, cache: false });
    const cores = hybrid.environment.pmus.filter((p) => p.core);
    assert.equal(cores.length, 2);
    const groups = parseEventList('cycles', { capabilities: hmap });
    const shift = BigInt(PERF_PMU_TYPE_SHIFT);
    assert.deepEqual(groups.map((g) => g[0]!.attr.config).sort(), cores.map((p) => BigInt(p.type) << shift).sort());
  });

  it('a map of this boot still resolves against this machine (sysfs)', () => {
    const here = { ...map, environment: { ...map.environment, bootId: readEnvironment().bootId } };
    const hostMsr = host.find((p) => p.name === 'msr');
    if (hostMsr) assert.equal(resolveEvent('msr/tsc/', { capabilities: here }).attr.type, hostMsr.type);
    else throwsEventName(() => resolveEvent('msr/tsc/', { capabilities: here }), /unknown PMU/);
  });
});
