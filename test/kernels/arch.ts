/**
 * What differs between guest architectures: the qemu binary and its package,
 * the machine, the console, where the guest's data goes, and where the guest's
 * userland comes from (this machine's node for amd64, Debian's arm64 packages
 * for arm64). One profile per architecture; nothing else in the harness asks
 * which architecture it is.
 */
import type { Arch } from './config';

export interface ArchProfile {
  arch: Arch;
  /** uname -m of the guest. */
  machine: string;
  qemuBinary: string;
  /** The Debian package holding qemuBinary. */
  qemuPackage: string;
  /** Machine arguments before the accelerator's (-M virt for arm64). */
  machineArgs: string[];
  /** The guest's console (kernel console= and the first serial port). */
  console: string;
  /**
   * The guest device the data sections go to. amd64 has a second UART (ttyS1 → data.log);
   * qemu's arm64 virt machine has one PL011, so data and console share it and the guest
   * silences kernel messages on the console (dmesg -n 1) before it writes data.
   */
  dataDevice: string;
  /** Kernel command line. */
  append: string;
  /** true: the guest runs this machine's node (same architecture); false: a foreign userland from Debian. */
  hostUserland: boolean;
  /** Debian multiarch triplet, for the foreign userland's libraries. */
  triplet: string;
}

export const ARCH_PROFILES: Record<Arch, ArchProfile> = {
  amd64: {
    arch: 'amd64', machine: 'x86_64',
    qemuBinary: 'qemu-system-x86_64', qemuPackage: 'qemu-system-x86',
    machineArgs: [], console: 'ttyS0', dataDevice: '/dev/ttyS1',
    append: 'console=ttyS0 panic=-1 quiet loglevel=4 nokaslr no_timer_check',
    hostUserland: true, triplet: 'x86_64-linux-gnu',
  },
  arm64: {
    arch: 'arm64', machine: 'aarch64',
    qemuBinary: 'qemu-system-aarch64', qemuPackage: 'qemu-system-arm',
    machineArgs: ['-M', 'virt'], console: 'ttyAMA0', dataDevice: '/dev/console',
    append: 'console=ttyAMA0 panic=-1 quiet loglevel=4 nokaslr',
    hostUserland: false, triplet: 'aarch64-linux-gnu',
  },
};

export function archProfile(arch: Arch): ArchProfile {
  return ARCH_PROFILES[arch];
}
