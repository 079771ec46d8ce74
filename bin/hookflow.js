#!/usr/bin/env node
import { main } from '../dist/bundle/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`hookflow: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
