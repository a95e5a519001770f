// What `npm test` prints when a test worker died (scripts/test.mjs): read from the workers' trace
// (setup.mjs), from Node's diagnostic reports (written on a fatal error: heap exhausted, a V8 abort) and
// from the kernel's log (the OOM killer, a segfault), which between them say which file, and why.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';

const MiB = 1024 * 1024;
const mib = (bytes) => `${Math.round(bytes / MiB)} MiB`;

/** The trace's events, in order; a torn or foreign line is skipped. */
export function readTrace(text) {
  const events = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line);
      if (typeof e.pid === 'number' && typeof e.event === 'string') events.push(e);
    } catch {
      // a line cut short by a worker that died while writing it
    }
  }
  return events;
}

/**
 * Per worker: the file it started and never ended (it died in it) — unless vitest finished that file
 * (`finished`, from its report: a file that failed to import or skipped all its tests never ends in the trace
 * either; null when there is no report) — and the largest memory any worker reached.
 */
export function summarise(events, finished = null) {
  const workers = new Map();
  let largest = null;
  for (const e of events) {
    const w = workers.get(e.pid) ?? { pid: e.pid, running: null, started: 0, last: null, exit: null };
    workers.set(e.pid, w);
    if (e.event === 'start') {
      w.running = { file: e.file, t: e.t };
      w.started++;
    } else if (e.event === 'end') {
      w.running = null;
      w.last = e;
      if (!largest || e.rss > largest.rss) largest = e;
    } else if (e.event === 'exit') w.exit = e.code;
  }
  const died = [...workers.values()].filter((w) => w.running && !finished?.has(w.running.file));
  return { died, largest, workers: workers.size };
}

/** Lines for the summary: one block per worker that died, then the largest worker. */
export function describe({ died, largest }, root) {
  const rel = (file) => (file ? path.relative(root, file) : '(unknown file)');
  const lines = [];
  for (const w of died) {
    lines.push(
      `a test worker died (pid ${w.pid}) while running ${rel(w.running.file)}, its file number ${w.started}`,
    );
    lines.push(
      w.exit === null
        ? '  no exit was recorded: a signal (the OOM killer, a timeout) or a native crash; see below'
        : `  it exited with code ${w.exit}`,
    );
    if (w.last)
      lines.push(
        `  after its previous file (${rel(w.last.file)}): rss ${mib(w.last.rss)}, heap used ${mib(w.last.heap)}`,
      );
  }
  if (largest)
    lines.push(
      `largest test worker: rss ${mib(largest.rss)}, heap used ${mib(largest.heap)} (after ${rel(largest.file)})`,
    );
  return lines;
}

const CRASH =
  /FATAL ERROR|# Fatal error|Fatal JavaScript|Check failed:|Assertion failed|Segmentation fault|Aborted \(core dumped\)|JavaScript heap out of memory|Native stack trace/;

/** Watches a run's output for the lines a dying process prints (a few, each cut short) and keeps them. */
export function crashLines(max = 20) {
  const kept = [];
  const decoder = new StringDecoder('utf8'); // a chunk may end inside a character
  let partial = '';
  return {
    watch(chunk) {
      const text = partial + decoder.write(chunk);
      const parts = text.split('\n');
      partial = parts.pop().slice(-2000);
      for (const line of parts)
        if (kept.length < max && CRASH.test(line)) kept.push(`printed: ${line.trim().slice(0, 300)}`);
    },
    lines: () => kept,
  };
}

/** Node's diagnostic reports in `dir` (--report-on-fatalerror), a few lines each. */
export function nodeReports(dir) {
  if (!existsSync(dir)) return [];
  const lines = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    try {
      const r = JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
      const heap = r.javascriptHeap ?? {};
      lines.push(
        `node report ${name}: ${r.header?.event ?? '?'} (${r.header?.trigger ?? '?'}), pid ${r.header?.processId}, ` +
          `heap ${mib(heap.usedMemory ?? 0)} used of ${mib(heap.totalMemory ?? 0)}`,
      );
      for (const frame of (r.javascriptStack?.stack ?? []).slice(0, 8)) lines.push(`  ${frame.trim()}`);
    } catch {
      lines.push(`node report ${name}: unreadable`);
    }
  }
  return lines;
}

/**
 * The kernel's lines since `since` (ms) on processes killed or crashed (an OOM kill, a segfault), where this
 * user may read its log. Those naming a dead worker's pid come first; the others follow, marked, because a
 * crash in one of a worker's threads (its database's worker thread, libuv's pool) names the thread's id, not
 * the worker's pid — and a server a test started may have died of the same cause.
 */
export function kernelLines(since, pids, run = spawnSync) {
  const r = run('dmesg', ['--time-format', 'iso'], { encoding: 'utf8', maxBuffer: 64 * MiB });
  if (r.status !== 0 || typeof r.stdout !== 'string') return ['(the kernel log is not readable here)'];
  // How the kernel names a process: node[1234]: segfault …, Killed process 1234 (node), oom-kill:…,pid=1234,
  const id = `(?:${pids.join('|')})`;
  const ours = pids.length ? new RegExp(`\\[${id}\\]|process ${id}\\b|pid=${id}\\b`) : /(?!)/;
  const recent = r.stdout
    .split('\n')
    .filter((l) => /out of memory|oom-kill|killed process|segfault|general protection|traps:/i.test(l))
    .map((l) => {
      const [at, ...message] = l.split(' '); // 2026-12-06T14:33:22,224851+00:00 node[1234]: segfault at …
      return { at: Date.parse(at.replace(',', '.')), line: l, text: message.join(' ') };
    })
    .filter((e) => !(e.at < since));
  const named = recent.filter((e) => ours.test(e.text)).map((e) => e.line);
  const others = recent.filter((e) => !ours.test(e.text)).map((e) => `(another process or thread) ${e.line}`);
  return [...named.slice(0, 10), ...others.slice(0, 10)]; // the first lines: usually the cause
}
