/**
 * Hardware breakpoints as perf spells them: mem:ADDR[/LEN][:ACCESS], ACCESS
 * made of r, w, x (each at most once; default rw), LEN 1, 2, 4 or 8
 * (default 4, or sizeof(long) for x). Pure.
 */
import { PERF_TYPE, HW_BREAKPOINT } from '../abi/constants';
import { eventError } from './event-error';
import { parseU64 } from './pmu-terms';

export interface BreakpointSpec {
  addr: bigint;
  len: number;
  bpType: number;
  /** Text after the access spec (modifiers), without the ':'. */
  modifiers: string;
  /** Canonical name, e.g. "mem:0x1000/8:rw". */
  name: string;
}

const LENGTHS = [1, 2, 4, 8];

function err(what: string, msg: string): never {
  throw eventError(what, msg);
}

/** Parse the text after "mem:". */
export function parseBreakpoint(rest: string, what: string): BreakpointSpec {
  const parts = rest.split(':');
  if (parts.length > 3) err(what, 'too many ":" in a breakpoint; write mem:ADDR[/LEN][:rwx][:modifiers]');
  const [addrLen, ...tail] = parts as [string, ...string[]];
  if (tail.some((t) => t === '')) err(what, 'empty part between ":"; write mem:ADDR[/LEN][:rwx][:modifiers]');
  const slash = addrLen.indexOf('/');
  const addrText = slash < 0 ? addrLen : addrLen.slice(0, slash);
  const addr = parseU64(addrText, what, 'the breakpoint address');
  if (addr === undefined) err(what, `breakpoint address "${addrText.slice(0, 40)}" is not a number; write mem:0xADDR (e.g. mem:0x7ffd1234)`);
  let len: number | undefined;
  if (slash >= 0) {
    const lenText = addrLen.slice(slash + 1);
    const l = parseU64(lenText, what, 'the breakpoint length');
    if (l === undefined || !LENGTHS.includes(Number(l))) err(what, `breakpoint length "${lenText.slice(0, 20)}" is not one of ${LENGTHS.join(', ')}`);
    len = Number(l);
  }
  let access = '';
  let modifiers = '';
  if (tail.length === 2) { access = tail[0]!; modifiers = tail[1]!; }
  else if (tail.length === 1) {
    if (/^[rwx]+$/.test(tail[0]!)) access = tail[0]!; else modifiers = tail[0]!;
  }
  let bpType = 0;
  for (const c of access) {
    const b = c === 'r' ? HW_BREAKPOINT.R : c === 'w' ? HW_BREAKPOINT.W : c === 'x' ? HW_BREAKPOINT.X : -1;
    if (b < 0) err(what, `breakpoint access "${access.slice(0, 10)}": "${c}" is not r, w or x`);
    if (bpType & b) err(what, `breakpoint access "${access}" repeats "${c}"`);
    bpType |= b;
  }
  if (bpType === 0) bpType = HW_BREAKPOINT.R | HW_BREAKPOINT.W;
  len ??= bpType === HW_BREAKPOINT.X ? 8 : HW_BREAKPOINT.LEN_4;
  const accessText = `${bpType & HW_BREAKPOINT.R ? 'r' : ''}${bpType & HW_BREAKPOINT.W ? 'w' : ''}${bpType & HW_BREAKPOINT.X ? 'x' : ''}`;
  return { addr, len, bpType, modifiers, name: `mem:0x${addr.toString(16)}/${len}:${accessText}` };
}

export function breakpointAttr(bp: BreakpointSpec): Record<string, number | bigint> {
  // perf sets sample_period 1 on breakpoints: every hit counts and can sample.
  return { type: PERF_TYPE.BREAKPOINT, config: 0n, bp_type: bp.bpType, bp_addr: bp.addr, bp_len: BigInt(bp.len), sample_period: 1n };
}
