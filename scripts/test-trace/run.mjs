// One vitest run for `npm test` (scripts/test.mjs), traced: its standard error passes through, watched for
// what a dying worker prints there (a V8 fatal error, a failed check), which scrolls far above the summary
// where a CI log's tail does not reach; and when a worker died, the lines that say which file and why
// (report.mjs).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crashLines, describe, kernelLines, nodeReports, readTrace, summarise } from './report.mjs';

/**
 * The files vitest finished, by its JSON report: failed (an import that threw, a failed hook: vitest says why)
 * or with every test given a verdict (passed, failed, skipped, todo). A file whose worker died keeps its tests
 * "pending", or is missing. Null when there is no report: then the trace alone decides.
 */
export function finishedFiles(report) {
  try {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    return new Set(
      r.testResults
        .filter((f) => f.status === 'failed' || f.assertionResults.every((t) => t.status !== 'pending'))
        .map((f) => f.name),
    );
  } catch {
    return null;
  }
}

/**
 * Runs vitest with `args`, its JSON report to `report`; its output goes to this process's, or with `out`, its
 * standard error to `out.stderr` and its standard output nowhere. Resolves to its exit code, the workers that
 * died and the lines to print.
 */
export async function runVitest(vitest, args, { root, report, out = process }) {
  const traceDir = mkdtempSync(path.join(tmpdir(), 'pakawaaz-test-trace-'));
  const trace = path.join(traceDir, 'workers.jsonl');
  const started = Date.now();
  const crashes = crashLines();
  const run = spawn(
    process.execPath,
    [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args],
    {
      cwd: root,
      // Standard output stays the terminal's (vitest's live display); the workers' standard error, where V8
      // writes its fatal errors, comes through vitest's.
      stdio: ['inherit', out === process ? 'inherit' : 'ignore', 'pipe'],
      env: { ...process.env, PAKAWAAZ_TEST_TRACE: trace },
    },
  );
  run.stderr.on('data', (chunk) => (out.stderr.write(chunk), crashes.watch(chunk)));
  const code = await new Promise((resolve) => run.on('close', (c, signal) => resolve(signal ? 1 : (c ?? 1))));
  // A file that failed to import, or whose tests were all skipped, never ends in the trace either (vitest
  // runs no hook of it), but vitest has finished it: not a death.
  const workers = summarise(
    readTrace(existsSync(trace) ? readFileSync(trace, 'utf8') : ''),
    finishedFiles(report),
  );
  const lines = describe(workers, root);
  const pids = workers.died.map((w) => w.pid);
  if (pids.length > 0)
    lines.push(...crashes.lines(), ...nodeReports(traceDir), ...kernelLines(started, pids));
  else if (code !== 0) {
    // No worker died, but a server a test spawned may have (a failed start, a closed connection).
    const kernel = kernelLines(started, []).filter((l) => !l.startsWith('(the kernel log'));
    if (kernel.length > 0) lines.push('the kernel logged these crashes during the run:', ...kernel);
  }
  rmSync(traceDir, { recursive: true, force: true });
  return { code, died: workers.died, lines };
}
