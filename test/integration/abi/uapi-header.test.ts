/**
 * Checks every table of src/abi against the kernel's own uapi header, by
 * compiling a C program against linux/perf_event.h with the machine's cc and
 * comparing what it prints. Items the header does not define must be exactly
 * those the tables say mainline added after the header's version.
 *
 * The header comes from the system (linux-libc-dev) or from the directory in
 * PERFCOMPAT_UAPI_INCLUDE (e.g. a newer linux-libc-dev unpacked by the kernel
 * matrix harness).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import semver from 'semver';
import { ATTR_FIELDS, ATTR_FLAGS, AUX_ACTION_FLAGS, ATTR_SIZE_VERSIONS } from '../../../src/abi/attr-layout';
import {
  BRANCH_SAMPLE_TYPE, HW_CACHE_IDS, HW_CACHE_OPS, HW_CACHE_RESULTS, HW_EVENTS, MMAP_CAPABILITIES, OPEN_FLAGS,
  PERF_CONTEXT, PERF_TYPES, READ_FORMAT, RECORD_TYPES, SAMPLE_TYPE, SW_EVENTS,
} from '../../../src/abi/constants';
import { archAbi, PERF_IOCTLS, perfIoctlTable, PERF_IOC_FLAG_GROUP } from '../../../src/abi/ioctl';
import { MMAP_PAGE } from '../../../src/abi/mmap-page';

interface Item {
  /** What the table says. */
  key: string;
  expected: bigint;
  /** C expression printing the header's value. */
  expr: string;
  mainline: string;
}

function items(): Item[] {
  const out: Item[] = [];
  const add = (key: string, expected: number | bigint, expr: string, mainline: string) =>
    out.push({ key, expected: BigInt(expected), expr, mainline });
  for (const f of ATTR_FIELDS) {
    if (f.name === 'flags') continue;
    for (const n of [f.name, ...(f.aliases ?? [])]) {
      add(`offsetof(attr.${n})`, f.offset, `offsetof(struct perf_event_attr, ${n})`, f.name === n ? f.mainline : aliasMainline(n, f.mainline));
    }
  }
  for (const f of ATTR_FLAGS) {
    const v = (1n << BigInt(f.width)) - 1n;
    add(`attr.${f.name} bits`, v << BigInt(f.bit), `flagword_${f.name}()`, f.mainline);
  }
  for (const f of AUX_ACTION_FLAGS) add(`attr.${f.name} bit`, 1n << BigInt(f.bit), `auxword_${f.name}()`, f.mainline);
  for (const v of ATTR_SIZE_VERSIONS) {
    if (v.name === 'PERF_ATTR_SIZE_VER1' || v.bytes === 72) add(v.name, v.bytes, v.name, v.mainline);
    else add(v.name, v.bytes, v.name, v.mainline);
  }
  for (const t of [PERF_TYPES, HW_EVENTS, SW_EVENTS, HW_CACHE_IDS, HW_CACHE_OPS, HW_CACHE_RESULTS, RECORD_TYPES]) {
    for (const e of t) add(e.uapi, e.value, e.uapi, e.mainline);
  }
  for (const b of READ_FORMAT) add(b.uapi, 1n << BigInt(b.bit), b.uapi, b.mainline);
  for (const b of SAMPLE_TYPE) add(b.uapi, 1n << BigInt(b.bit), b.uapi, b.mainline);
  for (const b of BRANCH_SAMPLE_TYPE) add(`${b.uapi}_SHIFT`, b.bit, `${b.uapi}_SHIFT`, b.mainline);
  for (const b of OPEN_FLAGS) add(b.uapi, 1n << BigInt(b.bit), b.uapi, b.mainline);
  const table = perfIoctlTable(archAbi(process.arch));
  for (const d of PERF_IOCTLS) add(d.uapi, table[d.name]!, `(unsigned long)${d.uapi}`, d.mainline);
  add('PERF_IOC_FLAG_GROUP', PERF_IOC_FLAG_GROUP, 'PERF_IOC_FLAG_GROUP', '2.6.31');
  for (const [name, def] of Object.entries(MMAP_PAGE)) {
    add(`offsetof(mmap_page.${name})`, def.offset, `offsetof(struct perf_event_mmap_page, ${name})`, mmapMainline(name));
  }
  for (const c of MMAP_CAPABILITIES) add(`mmap_page.${c.name} bit`, 1n << BigInt(c.bit), `capword_${c.name}()`, c.mainline);
  for (const [name, v] of Object.entries(PERF_CONTEXT)) {
    add(`PERF_CONTEXT_${name}`, v, `(unsigned long long)PERF_CONTEXT_${name}`, name === 'USER_DEFERRED' ? '6.19' : '2.6.31');
  }
  return out;
}

/** Union aliases that came later than the storage they share. */
function aliasMainline(alias: string, base: string): string {
  return ({ kprobe_func: '4.17', uprobe_path: '4.17', kprobe_addr: '4.17', probe_offset: '4.17' } as Record<string, string>)[alias] ?? base;
}

function mmapMainline(field: string): string {
  return ({
    time_zero: '3.12', size: '4.1', time_cycles: '5.9', time_mask: '5.9', data_offset: '4.1', data_size: '4.1',
    aux_head: '4.1', aux_tail: '4.1', aux_offset: '4.1', aux_size: '4.1', pmc_width: '3.3', time_shift: '3.3',
    time_mult: '3.3', time_offset: '3.3', capabilities: '3.4',
  } as Record<string, string>)[field] ?? '2.6.31';
}

function cSource(list: Item[]): { source: string; lineOf: Map<number, Item> } {
  const lines: string[] = [
    '#include <stddef.h>', '#include <stdio.h>', '#include <string.h>', '#include <stdint.h>',
    '#include <linux/perf_event.h>',
    'static uint64_t word_at(const void *p, size_t off, size_t w) { uint64_t v = 0; memcpy(&v, (const char *)p + off, w); return v; }',
  ];
  const wanted = new Set(list.map((i) => i.expr.replace(/\(\)$/, '')));
  for (const f of ATTR_FLAGS) {
    if (!wanted.has(`flagword_${f.name}`)) continue;
    const v = (1 << f.width) - 1;
    lines.push(`static uint64_t flagword_${f.name}(void) { struct perf_event_attr a; memset(&a, 0, sizeof a); a.${f.name} = ${v}; return word_at(&a, 40, 8); }`);
  }
  for (const f of AUX_ACTION_FLAGS) {
    if (!wanted.has(`auxword_${f.name}`)) continue;
    lines.push(`static uint64_t auxword_${f.name}(void) { struct perf_event_attr a; memset(&a, 0, sizeof a); a.${f.name} = 1; return word_at(&a, 116, 4); }`);
  }
  for (const c of MMAP_CAPABILITIES) {
    if (!wanted.has(`capword_${c.name}`)) continue;
    lines.push(`static uint64_t capword_${c.name}(void) { struct perf_event_mmap_page p; memset(&p, 0, sizeof p); p.${c.name} = 1; return word_at(&p, 40, 8); }`);
  }
  lines.push('int main(void) {');
  const lineOf = new Map<number, Item>();
  const helperLine = new Map<string, number>();
  lines.forEach((l, i) => { const m = /^static uint64_t (\w+)\(void\)/.exec(l); if (m) helperLine.set(m[1]!, i + 1); });
  for (const it of list) {
    lines.push(`  printf("%s=%llu\\n", ${JSON.stringify(it.key)}, (unsigned long long)(${it.expr}));`);
    lineOf.set(lines.length, it);
    const h = /^(\w+)\(\)$/.exec(it.expr);
    if (h && helperLine.has(h[1]!)) lineOf.set(helperLine.get(h[1]!)!, it);
  }
  lines.push('  return 0;', '}', '');
  return { source: lines.join('\n'), lineOf };
}

function hasCc(): boolean {
  return spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0;
}

describe('abi tables against the kernel uapi header (compiled with cc)', function () {
  this.timeout(120000);
  let dir: string;
  const includeDir = process.env.PERFCOMPAT_UAPI_INCLUDE;

  before(function () {
    if (!hasCc()) {
      this.skip(); // no C compiler on this machine: the table check cannot run
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcompat-uapi-'));
  });
  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  it('agrees on every bit, value, offset and ioctl the header defines, and lacks only newer items', function () {
    const include = includeDir ? ['-I', includeDir] : [];
    // The header's own version.
    fs.writeFileSync(path.join(dir, 'ver.c'), '#include <stdio.h>\n#include <linux/version.h>\nint main(void){printf("%d\\n", LINUX_VERSION_CODE);return 0;}\n');
    execFileSync('cc', [...include, '-o', path.join(dir, 'ver'), path.join(dir, 'ver.c')]);
    const code = Number(execFileSync(path.join(dir, 'ver')).toString().trim());
    const headerVersion = `${code >> 16}.${(code >> 8) & 0xff}.0`;

    let list = items();
    const missing: Item[] = [];
    let output = '';
    for (let round = 0; round < 40; round++) {
      const { source, lineOf } = cSource(list);
      fs.writeFileSync(path.join(dir, 'abi.c'), source);
      const cc = spawnSync('cc', [...include, '-w', '-fmax-errors=1000', '-o', path.join(dir, 'abi'), path.join(dir, 'abi.c')], { encoding: 'utf8' });
      if (cc.status === 0) {
        output = execFileSync(path.join(dir, 'abi')).toString();
        break;
      }
      const bad = new Set<Item>();
      for (const m of cc.stderr.matchAll(/abi\.c:(\d+):\d+: error/g)) {
        const it = lineOf.get(Number(m[1]));
        if (it) bad.add(it);
      }
      assert.ok(bad.size > 0, `cc failed in a way not tied to one item:\n${cc.stderr.slice(0, 2000)}`);
      missing.push(...bad);
      list = list.filter((i) => !bad.has(i));
    }
    assert.ok(output, 'the C program never compiled');

    const got = new Map(output.trim().split('\n').map((l) => {
      const eq = l.lastIndexOf('=');
      return [l.slice(0, eq), BigInt(l.slice(eq + 1))] as const;
    }));
    const wrong = list.filter((i) => got.get(i.key) !== i.expected)
      .map((i) => `${i.key}: tables say ${i.expected}, header says ${got.get(i.key)}`);
    assert.deepEqual(wrong, [], `mismatches against the header (version ${headerVersion})`);

    // What the header lacks must be newer than the header.
    const tooOld = missing.filter((i) => semver.lte(semver.coerce(i.mainline)!, headerVersion))
      .map((i) => `${i.key} (tables: mainline ${i.mainline})`);
    assert.deepEqual(tooOld, [], `the header of ${headerVersion} lacks items the tables date to it or earlier`);
    // And nothing the tables date before the header may be absent; report the coverage.
    assert.ok(list.length > 200, `only ${list.length} items were compared`);
    process.stdout.write(`      compared ${list.length} items with the ${headerVersion} header; ${missing.length} newer items absent from it\n`);
  });
});
