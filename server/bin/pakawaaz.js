#!/usr/bin/env node
// The `pakawaaz` command. Runs the compiled CLI (npm run build, or npm start, builds it).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'pakawaaz: the server is not built yet; run `npm run build` (or `npm start`) first.\n',
  );
  process.exit(1);
}
const { runCli } = await import(entry.href);
const code = await runCli(process.argv);
// `start` keeps running; every other command exits with its code.
if (process.argv[2] !== 'start') process.exit(code);
else process.exitCode = code;
