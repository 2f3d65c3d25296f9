/** Pure pieces of the kernel-matrix harness, without qemu or the network. */
import { strict as assert } from 'node:assert';
import { parseSpec, kernelSpecs } from './config';
import { parseSources, suiteFamily } from './apt';
import { parseDataLog, guestScript, DATA_BEGIN, DATA_END } from './initramfs';
import { parsePerfEventHeader, checkMapAgainstHeader, headerAttrSize } from './header';
import { statusDiff, type GuestMap } from './matrix';
import { kindOf } from './run';

const HEADER = `
/* a made-up header in the uapi shape */
enum perf_event_sample_format {
	PERF_SAMPLE_IP				= 1U << 0,
	PERF_SAMPLE_TID				= 1U << 1,
	PERF_SAMPLE_WEIGHT_STRUCT		= 1U << 24,
	PERF_SAMPLE_MAX = 1U << 25,		/* non-ABI */
	__PERF_SAMPLE_CALLCHAIN_EARLY		= 1ULL << 63, /* non-ABI; internal use */
};
#define PERF_SAMPLE_WEIGHT_TYPE	(PERF_SAMPLE_WEIGHT | PERF_SAMPLE_WEIGHT_STRUCT)
enum perf_branch_sample_type_shift {
	PERF_SAMPLE_BRANCH_USER_SHIFT		= 0, /* user branches */
	PERF_SAMPLE_BRANCH_COUNTERS_SHIFT	= 19,
	PERF_SAMPLE_BRANCH_MAX_SHIFT		/* non-ABI */
};
enum perf_branch_sample_type {
	PERF_SAMPLE_BRANCH_USER		= 1U << PERF_SAMPLE_BRANCH_USER_SHIFT,
};
enum perf_event_read_format {
	PERF_FORMAT_TOTAL_TIME_ENABLED		= 1U << 0,
	PERF_FORMAT_LOST			= 1U << 4,
	PERF_FORMAT_MAX = 1U << 5,		/* non-ABI */
};
#define PERF_ATTR_SIZE_VER0	64	/* sizeof first published struct */
#define PERF_ATTR_SIZE_VER7	128	/* add: sig_data */
struct perf_event_attr {
	__u32			type;
	__u32			size;
	__u64			config;
	union {
		__u64		sample_period;
		__u64		sample_freq;
	};
	__u64			disabled       :  1, /* off by default */
				inherit	       :  1, /* children inherit it */
				precise_ip     :  2, /* skid constraint */
				sigtrap        :  1,
				__reserved_1   : 59;
	union {
		__u32	aux_action;
		struct {
			__u32	aux_start_paused :  1, /* start AUX area tracing paused */
				aux_pause        :  1,
				__reserved_3     : 30;
		};
	};
	__u64	sig_data;
};
`;

describe('kernel matrix harness (pure parts)', () => {
  it('parses kernel specs: suite, suite:package, suite:package=version', () => {
    assert.deepEqual(parseSpec('bookworm'), { text: 'bookworm', arch: 'amd64', suite: 'bookworm', pkg: 'linux-image-cloud-amd64' });
    assert.deepEqual(parseSpec('bookworm:linux-image-6.1.0-30-cloud-amd64'), { text: 'bookworm:linux-image-6.1.0-30-cloud-amd64', arch: 'amd64', suite: 'bookworm', pkg: 'linux-image-6.1.0-30-cloud-amd64' });
    assert.equal(parseSpec('sid:linux-image-cloud-amd64=7.2.13-1').version, '7.2.13-1');
    assert.throws(() => parseSpec('bookworm:'), /bad kernel spec/);
    assert.deepEqual(kernelSpecs([], { PERFCOMPAT_KERNELS: 'trixie, sid' }).map((s) => s.suite), ['trixie', 'sid']);
    assert.deepEqual(kernelSpecs([], {}).filter((s) => s.arch === 'amd64').map((s) => s.suite), ['bullseye', 'bookworm', 'trixie', 'sid']);
    assert.deepEqual(kernelSpecs([], {}).filter((s) => s.arch === 'arm64').map((s) => `${s.suite}:${s.pkg}`), ['trixie:linux-image-cloud-arm64', 'sid:linux-image-cloud-arm64']);
    assert.deepEqual(suiteFamily('bookworm'), ['bookworm', 'bookworm-security']);
  });

  it('parses arm64 specs: an arch prefix, or an -arm64 package', () => {
    assert.deepEqual(parseSpec('arm64:trixie'), { text: 'arm64:trixie', arch: 'arm64', suite: 'trixie', pkg: 'linux-image-cloud-arm64' });
    assert.deepEqual(parseSpec('sid:linux-image-cloud-arm64'), { text: 'sid:linux-image-cloud-arm64', arch: 'arm64', suite: 'sid', pkg: 'linux-image-cloud-arm64' });
    assert.equal(parseSpec('arm64:sid:linux-image-cloud-arm64=7.2.13-1').version, '7.2.13-1');
    assert.equal(parseSpec('amd64:trixie').pkg, 'linux-image-cloud-amd64');
    assert.throws(() => parseSpec('arm64:sid:linux-image-cloud-amd64'), /is amd64, the prefix says arm64/);
    assert.deepEqual(kernelSpecs(['arm64:trixie', 'bookworm']).map((s) => s.arch), ['arm64', 'amd64']);
    assert.deepEqual(suiteFamily('sid'), ['sid']);
  });

  it('reads one-line and deb822 apt sources', () => {
    const one = parseSources('deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main\n# deb http://x/ y z\n', 'a.list');
    assert.deepEqual(one, [{ uri: 'http://mirror.example/debian', suites: ['bookworm'], signedBy: '/k.gpg', file: 'a.list' }]);
    const deb822 = parseSources('Types: deb\n# comment\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb-src\nURIs: http://src\nSuites: x\n', 'b.sources');
    assert.deepEqual(deb822, [{ uri: 'http://mirror.example/debian', suites: ['bookworm', 'bookworm-updates'], file: 'b.sources' }]);
  });

  it('splits the data port log into sections, CRs stripped', () => {
    const log = `noise\r\n${DATA_BEGIN} a\r\n{"x":1}\r\n\r\n${DATA_END} a rc=0 seconds=1.5\r\n${DATA_BEGIN} b\r\nline\r\n${DATA_END} b rc=3 seconds=2\r\n`;
    const s = parseDataLog(log);
    assert.deepEqual(s.get('a'), { body: '{"x":1}', rc: 0, seconds: 1.5 });
    assert.deepEqual(s.get('b'), { body: 'line', rc: 3, seconds: 2 });
    assert.match(guestScript([{ name: 'u', user: 'nobody', argv: ['node', "it's"], timeoutSec: 5 }]), /su -s \/bin\/sh nobody -c/);
    // One UART (arm64 virt): sections go to the console, and a command's setup runs before it.
    const g = guestScript([{ name: 'p', user: 'nobody', setup: 'echo 2 > /proc/sys/kernel/perf_event_paranoid', argv: ['true'], timeoutSec: 5 }], {}, '/dev/console');
    assert.match(g, /> \/dev\/console; \}/);
    assert.ok(g.indexOf('perf_event_paranoid') < g.indexOf('su -s'));
  });

  it('parses perf_event.h: enum bits, branch shifts, attr bitfields and fields, sizes', () => {
    const h = parsePerfEventHeader(HEADER);
    assert.deepEqual([...h.sampleType], [['IP', 0], ['TID', 1], ['WEIGHT_STRUCT', 24]]);
    assert.deepEqual([...h.branchSampleType], [['USER', 0], ['COUNTERS', 19]]);
    assert.deepEqual([...h.readFormat], [['TOTAL_TIME_ENABLED', 0], ['LOST', 4]]);
    assert.deepEqual([...h.attrBits], [['disabled', 0], ['inherit', 1], ['precise_ip', 2], ['sigtrap', 4], ['aux_start_paused', 0], ['aux_pause', 1]]);
    assert.ok(h.attrFields.has('sig_data') && h.attrFields.has('sample_freq') && !h.attrFields.has('config3'));
    assert.equal(headerAttrSize(h), 128);
  });

  it('checks a map against a header: violations, anomalies, attr.size', () => {
    const h = parsePerfEventHeader(HEADER);
    const map: GuestMap = {
      kernel: { release: 'x' },
      features: {
        'attr.size': { status: 'supported', value: 128 },
        'read_format.lost': { status: 'unsupported', errnoName: 'EINVAL' },
        'attr.sigtrap': { status: 'supported' },
        'attr.config3': { status: 'supported' },
        'attr.build_id': { status: 'supported', anomaly: 'backported' },
        'sample_type.ip': { status: 'denied' },
        'branch_sample_type.counters': { status: 'untestable' },
      },
    };
    const c = checkMapAgainstHeader(map, h, kindOf);
    assert.deepEqual(c.violations.map((v) => v.id).sort(), ['attr.config3', 'read_format.lost']);
    assert.deepEqual(c.anomalies.map((v) => v.id), ['attr.build_id']);
    assert.deepEqual(c.attrSize, { header: 128, map: 128 });
    assert.ok(c.missingInMap.includes('sample_type.tid'));
  });

  it('diffs two maps by status', () => {
    const a: GuestMap = { kernel: { release: 'a' }, features: { x: { status: 'supported' }, y: { status: 'unsupported' }, z: { status: 'untestable' } } };
    const b: GuestMap = { kernel: { release: 'b' }, features: { x: { status: 'unsupported' }, y: { status: 'supported' }, z: { status: 'no-hardware' }, w: { status: 'supported' } } };
    assert.deepEqual(statusDiff(a, b), { appeared: ['w', 'y'], vanished: ['x'], changed: [{ id: 'z', from: 'untestable', to: 'no-hardware' }] });
  });
});
