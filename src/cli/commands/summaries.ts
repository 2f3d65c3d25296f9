/**
 * Each subcommand's one-line summary, apart from its module: `probe --help`
 * lists every command, and the table in index.ts names them, without loading
 * any command's code. Each command module takes its summary from here.
 */
export const SUMMARIES = {
  report: 'what perf_event_open can do on this kernel (the default command)',
  diff: 'what changed between two dumps, or a dump and this kernel',
  explain: 'one feature in full: what, the answer here, why, shim path',
  list: 'events that open here, their PMU, whether they work for you',
  stat: 'count a command like perf stat, with fallbacks and scaling',
  test: 'run behaviour checks: does the kernel honour what it accepts?',
} as const;
