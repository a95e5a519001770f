#!/usr/bin/env node
// `npm test`: builds what the e2e tier runs (server, CLI, NOC), then runs every tier — unit, medium
// (real PostgreSQL/NATS, or PGlite/skip with a notice) and e2e (HTTP, CLI, browser) — and ends with a
// one-line summary. Extra arguments go to vitest (e.g. `npm test -- --project unit`).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--if-needed'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const report = path.join(tmpdir(), `pakawaaz-vitest-${process.pid}.json`);
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const started = Date.now();
const run = spawnSync(
  process.execPath,
  [
    vitest,
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit' },
);
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = r.numPendingTests + r.numTodoTests;
  process.stdout.write(`\nwall time: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  process.stdout.write(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped\n`);
  rmSync(report, { force: true });
} catch {
  process.stdout.write('\n(no vitest report was written)\n');
}
process.exit(run.status ?? 1);
