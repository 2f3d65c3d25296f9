import assert from 'node:assert/strict';
import { decodeTracepointRaw, parseTracepointFormat } from '../../../src/abi/tracepoint-format';
import { PerfcompatError } from '../../../src/errors';

// The sched_switch format file as a 6.x kernel prints it (tabs as in tracefs).
const SCHED_SWITCH = [
  'name: sched_switch',
  'ID: 372',
  'format:',
  '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;',
  '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;',
  '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;',
  '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;',
  '',
  '\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;',
  '\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;',
  '\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;',
  '\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;',
  '\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;',
  '\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;',
  '\tfield:int next_prio;\toffset:60;\tsize:4;\tsigned:1;',
  '',
  'print fmt: "prev_comm=%s prev_pid=%d", REC->prev_comm, REC->prev_pid',
  '',
].join('\n');

const WITH_DYNAMIC = [
  'name: sample_dyn',
  'ID: 9',
  'format:',
  '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;',
  '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;',
  '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;',
  '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;',
  '',
  '\tfield:__data_loc char[] name;\toffset:8;\tsize:4;\tsigned:0;',
  '\tfield:__rel_loc char[] path;\toffset:12;\tsize:4;\tsigned:0;',
  '\tfield:u32 cpus[3];\toffset:16;\tsize:12;\tsigned:0;',
  '\tfield:s8 delta;\toffset:28;\tsize:1;\tsigned:1;',
  '\tfield:u64 addr;\toffset:32;\tsize:8;\tsigned:0;',
  '',
].join('\n');

describe('abi/tracepoint-format', () => {
  it('parses name, id and every field with offset, size, sign, arrays and the common_ block', () => {
    const f = parseTracepointFormat(SCHED_SWITCH);
    assert.equal(f.name, 'sched_switch');
    assert.equal(f.id, 372);
    assert.deepEqual(f.fields.map((x) => x.name), ['common_type', 'common_flags', 'common_preempt_count', 'common_pid',
      'prev_comm', 'prev_pid', 'prev_prio', 'prev_state', 'next_comm', 'next_pid', 'next_prio']);
    const prevComm = f.fields.find((x) => x.name === 'prev_comm')!;
    assert.deepEqual({ ...prevComm }, { declaration: 'char prev_comm[16]', name: 'prev_comm', ctype: 'char', arrayLength: 16, offset: 8, size: 16, signed: false, common: false });
    assert.equal(f.fields.find((x) => x.name === 'prev_state')!.ctype, 'long');
    assert.equal(f.fields.filter((x) => x.common).length, 4);
  });

  it('decodes sched_switch RAW bytes: strings, signed ints, 8-byte longs as bigint', () => {
    const f = parseTracepointFormat(SCHED_SWITCH);
    const raw = Buffer.alloc(68);
    raw.writeUInt16LE(372, 0);
    raw.writeInt32LE(4242, 4);
    raw.write('node', 8, 'latin1');
    raw.writeInt32LE(4242, 24);
    raw.writeInt32LE(120, 28);
    raw.writeBigInt64LE(-1n, 32);
    raw.write('swapper/1', 40, 'latin1');
    raw.writeInt32LE(0, 56);
    raw.writeInt32LE(-1, 60);
    const v = decodeTracepointRaw(f, raw);
    assert.deepEqual(v, {
      common_type: 372, common_flags: 0, common_preempt_count: 0, common_pid: 4242,
      prev_comm: 'node', prev_pid: 4242, prev_prio: 120, prev_state: -1n, next_comm: 'swapper/1', next_pid: 0, next_prio: -1,
    });
    assert.equal('common_pid' in decodeTracepointRaw(f, raw, { common: false }), false);
  });

  it('decodes __data_loc and __rel_loc strings and fixed numeric arrays', () => {
    const f = parseTracepointFormat(WITH_DYNAMIC);
    assert.equal(f.fields.find((x) => x.name === 'name')!.dynamic, 'data_loc');
    assert.equal(f.fields.find((x) => x.name === 'path')!.dynamic, 'rel_loc');
    const raw = Buffer.alloc(64);
    raw.write('abc\0', 40, 'latin1'); // data_loc: absolute offset 40, length 4
    raw.writeUInt32LE((4 << 16) | 40, 8);
    raw.write('/x\0', 50, 'latin1'); // rel_loc: relative to the end of the field (16): 34
    raw.writeUInt32LE((3 << 16) | 34, 12);
    raw.writeUInt32LE(1, 16); raw.writeUInt32LE(2, 20); raw.writeUInt32LE(3, 24);
    raw.writeInt8(-5, 28);
    raw.writeBigUInt64LE(0xdeadbeefn, 32);
    const v = decodeTracepointRaw(f, raw, { common: false });
    assert.deepEqual(v, { name: 'abc', path: '/x', cpus: [1, 2, 3], delta: -5, addr: 0xdeadbeefn });
  });

  it('throws ERR_DECODE for raw data shorter than the format and for text that is not a format file', () => {
    const f = parseTracepointFormat(SCHED_SWITCH);
    assert.throws(() => decodeTracepointRaw(f, Buffer.alloc(40)), (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_DECODE' && /next_comm/.test(e.message));
    assert.throws(() => parseTracepointFormat('hello'), (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_DECODE');
    const d = parseTracepointFormat(WITH_DYNAMIC);
    const raw = Buffer.alloc(64);
    raw.writeUInt32LE((200 << 16) | 40, 8);
    assert.throws(() => decodeTracepointRaw(d, raw), /data_loc field name/);
  });
});
