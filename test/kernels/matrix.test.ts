/**
 * The kernel matrix: boots real Debian kernels under qemu, runs `probe --json`
 * (root and unprivileged) and `probe test --json` in each, and checks every map
 * against that kernel's own include/linux/perf_event.h. Run with
 * `npm run test:kernels`; pick kernels with PERFCOMPAT_KERNELS.
 */
import { strict as assert } from 'node:assert';
import { kernelSpecs } from './config';
import { killAll } from './qemu';
import { runMatrix, type KernelRun, type MatrixResult } from './matrix';
import { testSummary, probeDiffSummary } from './report';
import { headerAttrSize, type CheckResult } from './header';
import { kindOf, reportPath, writeReport } from './run';
import { pmuTests } from './pmu-tests';

const say = (s: string) => process.stdout.write(`      ${s.replace(/\n/g, '\n      ')}\n`);

describe('kernel matrix (Debian kernels under qemu)', function () {
  const specs = kernelSpecs([], process.env);
  let result: MatrixResult | undefined;

  before(async function () {
    // Fetching, building and booting every kernel; arm64 guests run under TCG for several minutes each.
    this.timeout(Math.max(this.timeout(), 90 * 60_000));
    result = await runMatrix({ specs, kindOf, log: (m) => say(m) });
    if (result.skipped) {
      say(`SKIPPED: ${result.skipped}`);
      this.skip();
    }
    const file = reportPath(specs.map((s) => s.text));
    writeReport(result, file);
    say(`report written to ${file}; matrix took ${result.totalSeconds.toFixed(0)} s`);
  });

  after(() => killAll());

  specs.forEach((spec, i) => {
    describe(spec.text, () => {
      const k = (): KernelRun => {
        const r = result?.kernels[i];
        assert.ok(r, `no run for ${spec.text}`);
        return r;
      };

      it('boots, runs node in the guest and powers off before the timeout', () => {
        const r = k();
        assert.ok(r.boot, 'not booted');
        assert.equal(r.boot.timedOut, false, `timed out; console tail:\n${r.boot.console.slice(-2000)}`);
        assert.ok(r.guest, `no uname from the guest: ${r.errors.join('; ')}`);
        assert.equal(r.guest.release, r.artifacts?.release, 'booted a different kernel than fetched');
        say(`${r.guest.release}: boot→poweroff ${r.boot.seconds.toFixed(1)} s, paranoid ${r.guest.paranoid}`);
      });

      it('root gets a capability map of this kernel', () => {
        const r = k();
        assert.ok(r.root, r.errors.join('; ') || 'no root map');
        assert.equal(r.root.schema, 'perfcompat/capabilities@1');
        assert.equal(r.root.kernel.release, r.guest?.release);
        assert.ok(Object.keys(r.root.features).length > 50, 'suspiciously few features');
        say(`attr.size ${String(r.root.features['attr.size']?.value)} (root)`);
      });

      it('the unprivileged user gets an answer: a map, or "perf_event_open not usable" (exit 3)', () => {
        const r = k();
        assert.ok(r.user || r.unusable?.user, r.errors.join('; ') || 'no unprivileged answer');
        if (r.user) {
          assert.equal(r.user.kernel.release, r.guest?.release);
          assert.notEqual(r.user.environment?.euid, 0, 'the unprivileged run ran as root');
        }
        say(`unprivileged: ${r.user ? `${Object.values(r.user.features).filter((f) => f.status === 'denied').length} denied` : r.unusable!.user!}`);
      });

      it("every map agrees with the kernel's own perf_event.h (anomalies excepted and listed)", () => {
        const r = k();
        assert.ok(r.header, r.errors.join('; ') || 'no header parsed');
        assert.ok(r.header.attrSizes.size > 0 && r.header.sampleType.size > 10, 'header parse found too little');
        const checks = r.check ?? {};
        assert.ok(checks.root || !r.root, 'root map not checked');
        const hs = headerAttrSize(r.header);
        for (const [who, m] of [['root', r.root], ['user', r.user]] as const) {
          const flagged = Object.entries(m?.features ?? {}).filter(([, f]) => f.anomaly).map(([id, f]) => `${id} ${f.anomaly}${f.mainline ? ` (mainline ${f.mainline})` : ''}`);
          if (flagged.length) say(`${who} map anomalies: ${flagged.join(', ')}`);
        }
        for (const who of ['root', 'user'] as const) {
          const c: CheckResult | undefined = checks[who];
          if (!c) continue;
          for (const a of c.anomalies) say(`${who}: header disagreement excused by anomaly: ${a.id} (${a.anomaly}): ${a.detail}`);
          if (who === 'root' && c.missingInMap.length) say(`header ids without a map entry: ${c.missingInMap.join(' ')}`);
          assert.deepEqual(c.violations.map((v) => `${v.id}: ${v.detail}`), [], `${who} map contradicts the header`);
        }
        const size = r.root?.features['attr.size'];
        if (typeof size?.value === 'number' && !size.anomaly) assert.equal(size.value, hs, 'attr.size is not the header\'s largest PERF_ATTR_SIZE_VER');
      });

      it('probe test (behaviour checks) runs, or says it is not available', () => {
        const r = k();
        for (const who of ['root', 'user'] as const) say(`probe test ${who}: ${testSummary(r.outputs.get(`${who}.test`))}`);
        const o = r.outputs.get('root.test');
        assert.ok(o, 'probe test did not run in the guest');
      });

      if (spec.arch !== 'amd64') pmuTests(k);
    });
  });

  it('probe diff between consecutive kernels', () => {
    assert.ok(result);
    const withMaps = result.kernels.filter((k) => k.root).length;
    for (const d of result.diffs) {
      say(`${d.from} → ${d.to}: appeared ${d.appeared.join(' ') || '-'}; vanished ${d.vanished.join(' ') || '-'}`);
      if (d.probeDiff.available) for (const l of probeDiffSummary(d.probeDiff.json)) say(`  probe diff: ${l}`);
      else say(`  probe diff not available: ${d.probeDiff.text.split('\n')[0]}`);
    }
    // Consecutive kernels of one architecture are diffed (the specs list each architecture's kernels together).
    const arches = [...new Set(result.kernels.map((k) => k.spec.arch))];
    const expected = arches.reduce((n, a) => n + Math.max(0, result!.kernels.filter((k) => k.root && k.spec.arch === a).length - 1), 0);
    assert.ok(withMaps >= expected);
    assert.equal(result.diffs.length, expected);
  });
});
