#!/usr/bin/env node
'use strict';
// A reader that stops early (`probe --json | head`) is not an error.
process.stdout.on('error', (err) => { if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0); });
require('../dist/src/cli/main.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`probe: ${err && err.message ? err.message : err}\n`); process.exitCode = 1; },
);
