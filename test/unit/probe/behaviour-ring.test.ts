import assert from 'node:assert/strict';
import { countRecordHeaders } from '../../../src/probe/behaviour-ring';
import { evalBound } from '../../../src/probe/behaviour-generic';

const PAGE = 4096;

function ring(dataPages: number, records: Array<[type: number, size: number]>, start = 0n, extraHead = 0n): ArrayBuffer {
  const buf = new ArrayBuffer(PAGE * (1 + dataPages));
  const dv = new DataView(buf);
  const size = BigInt(dataPages * PAGE);
  let pos = start;
  for (const [type, len] of records) {
    const at = PAGE + Number(pos % size);
    dv.setUint32(at, type, true);
    dv.setUint16(at + 6, len, true);
    pos += BigInt(len);
  }
  dv.setBigUint64(1024, pos + extraHead, true); // data_head
  dv.setBigUint64(1032, start, true); // data_tail
  return buf;
}

describe('behaviour ring header count', () => {
  it('counts records by type from tail to head', () => {
    const h = countRecordHeaders(ring(1, [[9, 24], [9, 24], [2, 24], [9, 32]]), PAGE, PAGE);
    assert.equal(h.byType.get(9), 3);
    assert.equal(h.byType.get(2), 1);
    assert.equal(h.corrupt, undefined);
  });

  it('follows records across the end of the data area', () => {
    const h = countRecordHeaders(ring(1, [[9, 24], [9, 24], [9, 24]], BigInt(PAGE - 24)), PAGE, PAGE);
    assert.equal(h.byType.get(9), 3);
  });

  it('stops at a header that cannot be right', () => {
    const h = countRecordHeaders(ring(1, [[9, 24], [9, 0]], 0n, 24n), PAGE, PAGE);
    assert.equal(h.byType.get(9), 1);
    assert.match(h.corrupt ?? '', /size 0/);
  });
});

describe('behaviour expectation bounds', () => {
  const work = { wallNs: 1000, cpuNs: 800, pages: 10, children: 0 };
  it('evaluates numbers, variables and factor*variable', () => {
    assert.equal(evalBound(5, work, 'w'), 5);
    assert.equal(evalBound('pages', work, 'w'), 10);
    assert.equal(evalBound('0.5*wallNs', work, 'w'), 500);
  });
  it('refuses anything else, naming the valid variables', () => {
    assert.throws(() => evalBound('pages+1', work, 'case x'), /case x.*wallNs, cpuNs, pages, children/);
    assert.throws(() => evalBound('2*bogus', work, 'w'), /bogus/);
  });
});
