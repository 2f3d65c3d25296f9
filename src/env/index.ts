export { readEnvironment, readUname } from './environment';
export type { EnvironmentOptions } from './environment';
export { parseProcStatus, CAP_PERFMON, CAP_SYS_ADMIN, CAP_BPF } from './proc-status';
export { readTracepointId, findTracefs, tracefsMount } from './tracefs';
export { readPmus } from './pmus';
