export * from './kernel';
export { RealKernel, realKernel } from './real-kernel';
export { logger } from './log';
