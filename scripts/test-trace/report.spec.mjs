// npm test's trace of a real vitest run (run.mjs, with a config like vitest.config.ts's) whose workers die
// two ways, SIGKILL and an exhausted heap: each must be named with the file it was running, the heap's death
// with Node's own report; a file that fails to import or skips all its tests is finished by vitest, not a
// death. (vitest turns process.exit in a test into an error, so an exit code is proven on a written trace,
// and what a dying worker prints on lines given in chunks: a pipe's timing decides whether it is read.)
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import { crashLines, describe, kernelLines, readTrace, summarise } from './report.mjs';
import { runVitest } from './run.mjs';

const root = path.resolve(import.meta.dirname, '..', '..');
let dir;
let run;

const fixtures = {
  'passes.e2e.mjs': `test('passes', () => expect(1).toBe(1));`,
  'imports-badly.e2e.mjs': `throw new Error('this file fails to import');\ntest('never', () => {});`,
  'skips.e2e.mjs': `describe.skipIf(true)('skipped', () => { test('a', () => {}); test('b', () => {}); });`,
  'killed.e2e.mjs': `test('killed', async () => { process.kill(process.pid, 'SIGKILL'); await new Promise((r) => setTimeout(r, 5000)); });`,
  'heap.e2e.mjs': `test('heap', () => { const keep = []; for (;;) keep.push(new Array(1e5).fill({ a: keep.length })); });`,
};
const discard = { write: () => true };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pakawaaz-test-trace-spec-'));
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  for (const [name, body] of Object.entries(fixtures))
    writeFileSync(path.join(dir, name), `import { describe, expect, test } from 'vitest';\n${body}\n`);
  writeFileSync(
    path.join(dir, 'vitest.config.mjs'),
    `import path from 'node:path';
export default { test: { include: ['*.e2e.mjs'], isolate: false, maxWorkers: 2, pool: 'forks',
  setupFiles: [${JSON.stringify(path.join(root, 'scripts', 'test-trace', 'setup.mjs'))}],
  execArgv: ['--max-old-space-size=96', '--report-on-fatalerror', '--report-compact',
    \`--report-directory=\${path.dirname(process.env.PAKAWAAZ_TEST_TRACE)}\`] } };\n`,
  );
  run = await runVitest(path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), [], {
    root: dir,
    report: path.join(dir, 'report.json'),
    out: { stdout: discard, stderr: discard },
  });
}, 90_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

group('the test workers trace (npm test)', () => {
  it('fails the run, and names the file each dead worker was running, and only those', () => {
    expect(run.code).not.toBe(0);
    expect(run.died.map((w) => path.basename(w.running.file)).sort()).toEqual([
      'heap.e2e.mjs',
      'killed.e2e.mjs',
    ]);
  });

  it('says no exit was recorded for a worker killed or crashed', () => {
    const text = run.lines.join('\n');
    expect(text).toMatch(/while running killed\.e2e\.mjs.*\n {2}no exit was recorded/);
    expect(text).toMatch(/while running heap\.e2e\.mjs.*\n {2}no exit was recorded/);
  });

  it('keeps what a dying worker prints, from chunks that split its lines', () => {
    const crashes = crashLines();
    const v8 =
      '\n<--- Last few GCs --->\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n';
    const bytes = Buffer.from(`✓ a test${v8}`); // chunks of 7 bytes: they split the ✓ too
    for (let at = 0; at < bytes.length; at += 7) crashes.watch(bytes.subarray(at, at + 7));
    crashes.watch(Buffer.from('\n'));
    expect(crashes.lines()).toEqual([
      'printed: FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
    ]);
  });

  it("reads the kernel's lines since the run started, the dead workers' first", () => {
    const log = [
      '2026-12-06T10:00:00,000000+00:00 node[4242]: segfault at 0 ip 0 sp 0 error 4',
      '2026-12-06T12:00:00,000000+00:00 open5gs-nrfd[999]: segfault at 0 ip 0 sp 0 error 4',
      '2026-12-06T12:00:01,000000+00:00 Out of memory: Killed process 4242 (node) total-vm:4242kB',
      '2026-12-06T12:00:01,500000+00:00 oom-kill:constraint=CONSTRAINT_NONE,task=postgres,pid=777,uid=4242',
      '2026-12-06T12:00:02,000000+00:00 EXT4-fs (vda): mounted filesystem',
    ].join('\n');
    const dmesg = () => ({ status: 0, stdout: log });
    expect(kernelLines(Date.parse('2026-12-06T11:00:00Z'), [4242], dmesg)).toEqual([
      '2026-12-06T12:00:01,000000+00:00 Out of memory: Killed process 4242 (node) total-vm:4242kB',
      // A thread of the worker crashes under its own id; a server a test started is another process.
      '(another process or thread) 2026-12-06T12:00:00,000000+00:00 open5gs-nrfd[999]: segfault at 0 ip 0 sp 0 error 4',
      // 4242 as a uid is not the worker's pid 4242.
      '(another process or thread) 2026-12-06T12:00:01,500000+00:00 oom-kill:constraint=CONSTRAINT_NONE,task=postgres,pid=777,uid=4242',
    ]);
    expect(kernelLines(0, [4242], () => ({ status: 1 }))).toEqual(['(the kernel log is not readable here)']);
    // No worker died (a failed run): every line is another process's.
    expect(
      kernelLines(Date.parse('2026-12-06T11:00:00Z'), [], dmesg).every((l) => l.startsWith('(another')),
    ).toBe(true);
  });

  it("adds Node's report of the exhausted heap, with the dead worker's pid", () => {
    const heap = run.died.find((w) => w.running.file.endsWith('heap.e2e.mjs'));
    const report = run.lines.find((l) => l.startsWith('node report'));
    expect(report).toMatch(/heap out of memory/i);
    expect(report).toContain(`pid ${heap.pid}`);
  });

  it('gives the exit code of a worker that ran its exit handler, and its memory before the file', () => {
    const t = [
      { pid: 7, event: 'start', file: '/r/a.spec.ts', t: 1 },
      { pid: 7, event: 'end', file: '/r/a.spec.ts', t: 2, rss: 300 * 2 ** 20, heap: 120 * 2 ** 20 },
      { pid: 7, event: 'start', file: '/r/b.spec.ts', t: 3 },
      { pid: 7, event: 'exit', code: 3, t: 4 },
    ];
    expect(describe(summarise(t), '/r')).toEqual([
      'a test worker died (pid 7) while running b.spec.ts, its file number 2',
      '  it exited with code 3',
      '  after its previous file (a.spec.ts): rss 300 MiB, heap used 120 MiB',
      'largest test worker: rss 300 MiB, heap used 120 MiB (after a.spec.ts)',
    ]);
  });

  it('skips a torn line and reports no death in a trace where every file ended', () => {
    const t = [
      { pid: 1, event: 'start', file: '/r/a.spec.ts', t: 1 },
      { pid: 1, event: 'end', file: '/r/a.spec.ts', t: 2, rss: 200 * 2 ** 20, heap: 90 * 2 ** 20 },
      { pid: 1, event: 'exit', code: 0, t: 3 },
    ];
    const text = `${t.map((e) => JSON.stringify(e)).join('\n')}\n{"pid":2,"ev`;
    const summary = summarise(readTrace(text));
    expect(summary.died).toEqual([]);
    expect(describe(summary, '/r')).toEqual([
      'largest test worker: rss 200 MiB, heap used 90 MiB (after a.spec.ts)',
    ]);
  });
});
