import assert from 'node:assert/strict';
import { parseEventList, resolveEvent } from '../../../src/events';
import { splitEventList } from '../../../src/events/list-syntax';
import { makeTrees, Trees } from './fake-trees';
import { throwsEventName } from './assert-event-error';

describe('events: lists and {} groups', () => {
  let trees: Trees;
  let o: { sysfsRoot: string; tracefsRoot: string };
  before(() => { trees = makeTrees(); o = { sysfsRoot: trees.hybrid, tracefsRoot: trees.tracefs }; });
  after(() => trees.cleanup());

  it('splits events and groups; commas inside pmu/.../ belong to the terms', () => {
    assert.deepEqual(splitEventList('a,b,{c,d}:u,msr/event=1,name=x/:k,{e}'), [
      { kind: 'event', text: 'a' },
      { kind: 'event', text: 'b' },
      { kind: 'group', events: ['c', 'd'], modifiers: 'u', text: '{c,d}:u' },
      { kind: 'event', text: 'msr/event=1,name=x/:k' },
      { kind: 'group', events: ['e'], modifiers: '', text: '{e}' },
    ]);
    assert.deepEqual(splitEventList(' task-clock , mem:0x10/8:w '), [{ kind: 'event', text: 'task-clock' }, { kind: 'event', text: 'mem:0x10/8:w' }]);
  });

  it('a bare event is a group of one; {a,b} is one group of two', () => {
    const groups = parseEventList('task-clock,{cs,faults},msr/tsc/', o);
    assert.deepEqual(groups.map((g) => g.map((e) => e.name)), [['task-clock'], ['context-switches', 'page-faults'], ['msr/tsc/']]);
    assert.equal(groups[1]![0]!.input, 'cs');
  });

  const BAD: Array<[string, RegExp]> = [
    ['', /empty/],
    ['   ', /empty/],
    ['a,', /empty event name at character 3/],
    [',a', /empty event name at character 1/],
    ['a,,b', /empty event name/],
    ['{a,b', /unterminated group/],
    ['a}', /"}" without a matching "{"/],
    ['{a,{b}}', /nested groups/],
    ['{}', /empty event name/],
    ['{a,}', /empty event name/],
    ['x{a}', /"{" must start an event group/],
    ['{a}b', /a group may be followed only by :modifiers/],
    ['{a}:', /a group may be followed only by :modifiers/],
    ['{a}/', /unexpected "\/" after a group/],
    ['msr/event=1', /unterminated pmu\/...\/ term list/],
    ['{task-clock}:q', /unknown modifier "q"/],
  ];
  for (const [list, re] of BAD) {
    it(`refuses ${JSON.stringify(list)}`, () => {
      throwsEventName(() => parseEventList(list, o), re);
    });
  }

  it('resolveEvent refuses lists and groups', () => {
    throwsEventName(() => resolveEvent('cs,faults', o), /takes one event; use parseEventList/);
    throwsEventName(() => resolveEvent('{cs}', o), /takes one event/);
  });

  it('refuses non-strings and over-long lists without crashing', () => {
    throwsEventName(() => parseEventList(undefined as unknown as string, o), /expected a string/);
    throwsEventName(() => resolveEvent(42 as unknown as string, o), /expected a string/);
    throwsEventName(() => parseEventList('cs,'.repeat(30000), o), /longer than the 65536 accepted/);
  });

  it('a long list of valid events resolves each (linear work)', () => {
    const groups = parseEventList(Array.from({ length: 2000 }, (_, i) => (i % 2 ? 'cs:u' : '{faults,msr/tsc/}')).join(','), o);
    assert.equal(groups.length, 2000);
    assert.equal(groups.flat().length, 3000);
  });
});
