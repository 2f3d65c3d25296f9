export * from './kernel';
export { RealKernel, realKernel } from './real-kernel';
export { logger } from './log';
export { raiseNofileOnce, rlimitNofileResource } from './nofile';
export type { NofileRaise } from './nofile';
