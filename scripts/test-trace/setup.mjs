// A vitest setup file (every project, vitest.config.ts): when PAKAWAAZ_TEST_TRACE names a file, each test
// worker appends a JSON line there as a test file starts and ends (with its memory) and as the worker exits.
// Medium and e2e workers run many files each (`isolate: false`), so when one dies vitest says only "Worker
// exited unexpectedly" and drops the file it was running from its counts; `npm test` (scripts/test.mjs)
// reads the trace to name that file, its exit code or the lack of one, and the worker's memory before it.
import { appendFileSync } from 'node:fs';
import { afterAll, expect } from 'vitest';

const trace = process.env.PAKAWAAZ_TEST_TRACE;

function write(event) {
  try {
    appendFileSync(trace, `${JSON.stringify({ pid: process.pid, t: Date.now(), ...event })}\n`);
  } catch {
    // The trace is a diagnostic: a test never fails for it.
  }
}

function memory() {
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

if (trace) {
  // Once per worker process: this file runs again for every test file the worker takes.
  const registered = Symbol.for('pakawaaz.test-trace.exit');
  if (!globalThis[registered]) {
    globalThis[registered] = true;
    process.on('exit', (code) => write({ event: 'exit', code }));
  }
  // Before the file's own imports run, so a worker that dies importing it is traced too.
  const file = expect.getState().testPath;
  write({ event: 'start', file });
  afterAll(() => write({ event: 'end', file, ...memory() }));
}
