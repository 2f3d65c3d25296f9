/**
 * The built-in behaviour checks, in `probe test` order. Adding a check is
 * adding a file here and a line below; ids are `behaviour.<name>`.
 */
import type { BehaviourCheck } from '../../src/probe/behaviour-types';
import counterCounts from './counter-counts';
import groupRead from './group-read';
import groupReadAfterExit from './group-read-after-exit';
import schedulability from './schedulability';
import multiplexing from './multiplexing';
import ioctlReset from './ioctl-reset';
import ioctlDisableEnable from './ioctl-disable-enable';
import ioctlFlagGroup from './ioctl-flag-group';
import ioctlRefresh from './ioctl-refresh';
import ioctlPeriod from './ioctl-period';
import ioctlId from './ioctl-id';
import enableOnExec from './enable-on-exec';
import inherit from './inherit';
import overflow from './overflow';

export const BEHAVIOUR_CHECKS: readonly BehaviourCheck[] = [
  counterCounts,
  groupRead,
  groupReadAfterExit,
  schedulability,
  multiplexing,
  ioctlReset,
  ioctlDisableEnable,
  ioctlFlagGroup,
  ioctlRefresh,
  ioctlPeriod,
  ioctlId,
  enableOnExec,
  inherit,
  overflow,
];
