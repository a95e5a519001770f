#!/usr/bin/env -S node --liftoff-only
// The `pakawaaz` command. Runs the compiled CLI (npm run build, or npm start, builds it). `pakawaaz start` runs
// the server with its embedded database, hence node's flag above (platform/src/db/wasm-flags.ts).
// Built-ins come from process.getBuiltinModule, not `import`: importing node:fs from ESM also loads
// fs/promises and readline, and node:http loads undici on Node 24 — a measurable part of a CLI call.
const { existsSync } = process.getBuiltinModule('node:fs');

// Node 22.1+ keeps the compiled code of the modules loaded from here on in a cache on disk (the OS temp
// folder, or NODE_COMPILE_CACHE), so the next call skips compiling them; Node 20 has no such cache.
process.getBuiltinModule('node:module').enableCompileCache?.();

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'pakawaaz: the server is not built yet; run `npm run build` (or `npm start`) first.\n',
  );
  process.exit(1);
}
const { runCli } = await import(entry.href);
const code = await runCli(process.argv);
// `start` keeps running; every other command exits with its code. `start` sets its own (main.ts: 1 for a
// failed start-up, the supervisor's, a signal's 0), which the CLI's 0 must not overwrite: a supervisor
// (systemd, a container's restart policy) tells a crash from a clean stop by it.
if (process.argv[2] !== 'start') process.exit(code);
else if (code !== 0) process.exitCode = code;
