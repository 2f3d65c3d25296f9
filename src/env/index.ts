export { readEnvironment, readUname } from './environment';
export type { EnvironmentOptions } from './environment';
export { parseProcStatus, CAP_PERFMON, CAP_SYS_ADMIN, CAP_BPF } from './proc-status';
export { readTracepointId, findTracefs, tracefsMount } from './tracefs';
export { readPmus, readPmuFiles, listPmuNames, pmuFilesOf, pmuInfoOf } from './pmus';
export type { PmuFiles } from './pmus';
export { isCorePmu, corePmus } from './core-pmu';
export { isThisBoot } from './this-boot';
