/**
 * What each perf ioctl does with its argument, and the check that an argument
 * fits before it reaches the kernel. Request numbers come from src/abi/ioctl;
 * this table says only what the kernel reads or writes through the argument.
 * A request not in the table (another driver's ioctl, a legacy tty request
 * with no size bits) needs an explicit argSize, or is refused.
 */
import { ATTR_SIZE_VER0 } from '../abi/attr-layout';
import { attrSizeField } from '../abi/attr-codec';
import { PERF_IOCTLS } from '../abi/ioctl';
import type { IoctlArg } from './kernel';
import { clipArg } from './checks';

/**
 * value: an integer passed by value (flags, a count, an fd);
 * u64: a pointer to 8 bytes the kernel reads or writes;
 * string: a pointer to a NUL-terminated string; attr: a perf_event_attr of
 * the size its size field says; query_bpf: struct perf_event_query_bpf with
 * room for ids_len ids.
 */
export type IoctlArgKind = 'value' | 'u64' | 'string' | 'attr' | 'query_bpf';

export const PERF_IOCTL_ARGS: Readonly<Record<string, IoctlArgKind>> = {
  enable: 'value', disable: 'value', refresh: 'value', reset: 'value',
  set_output: 'value', set_bpf: 'value', pause_output: 'value',
  period: 'u64', id: 'u64', set_filter: 'string', modify_attributes: 'attr', query_bpf: 'query_bpf',
};

for (const d of PERF_IOCTLS) {
  if (!PERF_IOCTL_ARGS[d.name]) throw new Error(`sys/ioctl-args: no argument rule for perf ioctl ${d.name}`);
}

const MAX_ARG_SIZE = 1 << 16;

/**
 * Throws RangeError unless `arg` is safe for `request` (named `name` when it
 * is a perf ioctl). Integer arguments are already known to be non-negative.
 */
export function checkIoctlArg(name: string | undefined, request: number, arg: IoctlArg, argSize: number | undefined): void {
  const isBuf = arg instanceof Uint8Array;
  if (name === undefined) {
    const what = `ioctl 0x${request.toString(16)}`;
    if (argSize === undefined) {
      throw new RangeError(`${what}: not a perf ioctl request; pass argSize (bytes the kernel reads or writes through arg, 0 for an integer passed by value)`);
    }
    if (!Number.isInteger(argSize) || argSize < 0 || argSize > MAX_ARG_SIZE) {
      throw new RangeError(`${what}: argSize ${clipArg(argSize)} must be an integer 0..${MAX_ARG_SIZE}`);
    }
    if (isBuf && arg.byteLength < argSize) throw new RangeError(`${what}: buffer of ${arg.byteLength} bytes, argSize says ${clipArg(argSize)}`);
    if (!isBuf && argSize !== 0) throw new RangeError(`${what}: argSize ${clipArg(argSize)} needs a Uint8Array of that many bytes, not an integer`);
    return;
  }
  const kind = PERF_IOCTL_ARGS[name]!;
  const what = `ioctl ${name}`;
  if (kind === 'value') {
    if (isBuf) throw new RangeError(`${what}: takes an integer argument, not a buffer`);
    return;
  }
  if (!isBuf) {
    // NULL is safe (the kernel answers EFAULT); any other integer would be an address in this process.
    if (arg === 0 || arg === 0n) return;
    throw new RangeError(`${what}: argument ${clipArg(arg)} is not a buffer; pass a Uint8Array (or 0 for NULL)`);
  }
  const buf = arg;
  switch (kind) {
    case 'u64':
      if (buf.byteLength < 8) throw new RangeError(`${what}: buffer of ${buf.byteLength} bytes, 8 needed`);
      return;
    case 'string':
      if (buf.indexOf(0) < 0) throw new RangeError(`${what}: the filter string must be NUL-terminated`);
      return;
    case 'attr': {
      if (buf.byteLength < 8) throw new RangeError(`${what}: attr buffer too short`);
      const size = attrSizeField(buf) || ATTR_SIZE_VER0;
      if (size > buf.byteLength) throw new RangeError(`${what}: attr size field ${size} exceeds the ${buf.byteLength}-byte buffer`);
      return;
    }
    case 'query_bpf': {
      if (buf.byteLength < 8) throw new RangeError(`${what}: buffer must hold ids_len and prog_cnt (8 bytes)`);
      const idsLen = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(0, true);
      if (8 + 4 * idsLen > buf.byteLength) throw new RangeError(`${what}: ids_len ${idsLen} needs ${8 + 4 * idsLen} bytes, buffer has ${buf.byteLength}`);
    }
  }
}
