/**
 * Split an event list as perf's -e takes it — `a,b,{c,d}:u,pmu/t=1,t2=2/` —
 * into events and `{}` groups (with optional group modifiers). Commas inside
 * `pmu/.../` belong to the term list. One linear pass; never throws anything
 * but ERR_EVENT_NAME.
 */
import { PerfcompatError } from '../errors';
import { clip } from './event-error';

export type ListItem =
  | { kind: 'event'; text: string }
  | { kind: 'group'; events: string[]; modifiers: string; text: string };

/** Longest list accepted (characters). */
export const MAX_LIST_LENGTH = 65536;

const PMU_NAME_CHARS = /^[A-Za-z0-9_.*?[\]-]+$/;

function fail(list: string, at: number, what: string): never {
  const shown = clip(list, 80);
  throw new PerfcompatError('ERR_EVENT_NAME', `event list "${shown}": ${what} at character ${at + 1}`);
}

export function splitEventList(list: string): ListItem[] {
  if (typeof list !== 'string') {
    throw new PerfcompatError('ERR_EVENT_NAME', `event list: expected a string, got ${list === null ? 'null' : typeof list}`);
  }
  if (list.length > MAX_LIST_LENGTH) {
    throw new PerfcompatError('ERR_EVENT_NAME', `event list: ${list.length} characters is longer than the ${MAX_LIST_LENGTH} accepted`);
  }
  if (list.trim() === '') throw new PerfcompatError('ERR_EVENT_NAME', 'event list: empty; give an event name such as task-clock, cycles, sched:sched_switch or msr/tsc/');
  const items: ListItem[] = [];
  let group: { events: string[]; start: number } | undefined;
  let start = 0;       // start of the current event
  let inTerms = false; // inside pmu/.../
  let afterGroup = -1; // index just after a group's '}'

  const endEvent = (end: number): void => {
    const text = list.slice(start, end).trim();
    if (text === '') fail(list, end, 'empty event name');
    if (group) group.events.push(text); else items.push({ kind: 'event', text });
  };
  const endGroupSuffix = (end: number): void => {
    const g = items[items.length - 1] as Extract<ListItem, { kind: 'group' }>;
    const suffix = list.slice(afterGroup, end).trim();
    if (suffix !== '') {
      if (!suffix.startsWith(':') || suffix.length === 1) fail(list, afterGroup, `unexpected "${suffix.slice(0, 20)}" after a group; a group may be followed only by :modifiers`);
      g.modifiers = suffix.slice(1);
    }
    g.text += suffix;
    afterGroup = -1;
  };

  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (inTerms) {
      if (c === '/') inTerms = false;
      continue;
    }
    if (afterGroup >= 0) {
      if (c === ',') { endGroupSuffix(i); start = i + 1; }
      else if (c === '{' || c === '}' || c === '/') fail(list, i, `unexpected "${c}" after a group`);
      continue;
    }
    switch (c) {
      case '/': {
        const sofar = list.slice(start, i).trim();
        if (PMU_NAME_CHARS.test(sofar)) inTerms = true;
        break;
      }
      case ',':
        endEvent(i);
        start = i + 1;
        break;
      case '{':
        if (group) fail(list, i, 'nested groups are not allowed');
        if (list.slice(start, i).trim() !== '') fail(list, i, '"{" must start an event group');
        group = { events: [], start: i };
        start = i + 1;
        break;
      case '}': {
        if (!group) fail(list, i, '"}" without a matching "{"');
        endEvent(i);
        items.push({ kind: 'group', events: group.events, modifiers: '', text: list.slice(group.start, i + 1).trim() });
        group = undefined;
        afterGroup = i + 1;
        break;
      }
      default:
        break;
    }
  }
  if (inTerms) fail(list, list.length, 'unterminated pmu/.../ term list (missing the closing "/")');
  if (group) fail(list, list.length, 'unterminated group (missing "}")');
  if (afterGroup >= 0) endGroupSuffix(list.length);
  else endEvent(list.length);
  return items;
}
