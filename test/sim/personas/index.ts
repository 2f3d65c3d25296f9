/** Every persona by name. */
import type { PersonaSpec } from '../persona';
import m310 from './mainline-3.10';
import m41 from './mainline-4.1';
import m419 from './mainline-4.19';
import m54 from './mainline-5.4';
import m510 from './mainline-5.10';
import m61 from './mainline-6.1';
import m612 from './mainline-6.12';
import m618 from './mainline-6.18';
import rhel7 from './rhel7-backports';
import debian510 from './debian-5.10-lost';
import compiledOut from './compiled-out-6.6';
import vmNoPmu from './vm-no-pmu';
import nmi from './nmi-watchdog';
import seccompEperm from './seccomp-eperm';
import seccompEnosys from './seccomp-enosys';
import p3 from './paranoid3-user';
import p2 from './paranoid2-user';
import fdStarved from './fd-starved';
import quirky from './quirky-pmu';
import arm64 from './arm64-graviton';
import hybrid from './hybrid-alderlake';
import qemuArm64 from './qemu-arm64-pmuv3';
import intelPt from './intel-client-pt';
import zen3 from './amd-zen3-brs';
import intelFixed from './intel-fixed-counters';
import amdZen3Ibs from './amd-zen3-ibs';
import riscvLegacy from './riscv-legacy-pmu';
import appleM1 from './apple-m1';
import vendorForeign from './vendor-foreign-type';
import bigLittle from './arm64-big-little';

export const PERSONAS: readonly PersonaSpec[] = [
  m310, m41, m419, m54, m510, m61, m612, m618,
  rhel7, debian510, compiledOut, vmNoPmu, nmi, seccompEperm, seccompEnosys, p3, p2, fdStarved, quirky, arm64, hybrid, qemuArm64, intelPt, zen3, intelFixed,
  amdZen3Ibs, riscvLegacy, appleM1, vendorForeign, bigLittle,
];

/** The mainline personas, oldest first. */
export const MAINLINE_PERSONAS: readonly string[] = [m310, m41, m419, m54, m510, m61, m612, m618].map((p) => p.name);
