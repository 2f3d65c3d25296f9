/**
 * One DataView per input buffer, kept while the same buffer is decoded again
 * (a walk over a stream of records, a bound read() into one buffer), so a hot
 * decode allocates no view per call. Pure: no I/O.
 */
let lastBytes: Uint8Array | undefined;
let lastView: DataView | undefined;

export function viewOf(bytes: Uint8Array): DataView {
  if (bytes !== lastBytes || lastView === undefined) {
    lastView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    lastBytes = bytes;
  }
  return lastView;
}

/** Typed-array reads match the kernel's little-endian layouts only on a little-endian host. */
export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
