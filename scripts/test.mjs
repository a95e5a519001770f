#!/usr/bin/env node
// `npm test`: builds what the e2e tier runs (server, CLI, NOC), then runs every tier — unit, medium
// (real PostgreSQL/NATS, or PGlite/skip with a notice) and e2e (HTTP, CLI, browser) together, then the load
// tier (p99 latency bounds while a bulk job runs) on its own, so no other test competes for the cores while
// it measures — and ends with a one-line summary. Extra arguments go to vitest as they are, in one run
// (e.g. `npm test -- --project unit`). When a test worker dies (vitest: "Worker exited unexpectedly"), it
// says which file the worker was running and why it may have died (scripts/test-trace/).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runVitest } from './test-trace/run.mjs';

const root = path.resolve(import.meta.dirname, '..');
const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--if-needed'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const started = Date.now();
const extra = process.argv.slice(2);
const runs = extra.length
  ? [extra]
  : [
      ['--project', 'unit', '--project', 'medium', '--project', 'e2e'],
      ['--project', 'load'],
    ];

const totals = { passed: 0, failed: 0, skipped: 0, failedFiles: 0, reports: 0 };
// Each file's own wall time (files run side by side, so they add up to more than the run): the list that says
// where CI's time goes, printed after the summary.
const slowest = [];
let status = 0;
for (const [i, args] of runs.entries()) {
  const report = path.join(tmpdir(), `pakawaaz-vitest-${process.pid}-${i}.json`);
  const { code, lines } = await runVitest(vitest, args, { root, report });
  if (code !== 0) status = code;
  if (lines.length > 0) process.stdout.write(`\n${lines.join('\n')}\n`);
  try {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += r.numPendingTests + r.numTodoTests;
    // A file fails without a failed test when its import or a hook (beforeAll) fails: its tests are skipped.
    totals.failedFiles += r.testResults.filter(
      (f) => f.status === 'failed' && !f.assertionResults.some((t) => t.status === 'failed'),
    ).length;
    totals.reports++;
    slowest.push(
      ...r.testResults.map((f) => ({ file: path.relative(root, f.name), ms: f.endTime - f.startTime })),
    );
    rmSync(report, { force: true });
  } catch {
    process.stdout.write(`\n(no vitest report was written for: ${args.join(' ')})\n`);
  }
}
if (slowest.length > 0) {
  const top = slowest
    .filter((f) => Number.isFinite(f.ms))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 12);
  process.stdout.write(`\nslowest files (each file's own wall time):\n`);
  for (const f of top) process.stdout.write(`  ${(f.ms / 1000).toFixed(1).padStart(7)} s  ${f.file}\n`);
}
process.stdout.write(`\nwall time: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
if (totals.reports > 0)
  process.stdout.write(
    `tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped; ` +
      `files failed outside a test: ${totals.failedFiles}\n`,
  );
process.exit(status);
