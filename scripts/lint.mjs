#!/usr/bin/env node
// `npm run lint` (and check's lint step): ESLint over the repository. Errors and warnings fail, except the
// size warnings (max-lines), which are listed as a report after the run: files over the limit are to be
// split as they are worked on, not all at once. --fix applies fixes; --size-only prints just the report.
//
// Type-checked rules keep a TypeScript program per tsconfig in memory, and one process over the whole
// repository grew past Node's default heap (~4 GiB on CI). So the repository is linted in groups, each in
// its own child process with a bounded heap: memory stays per group, not per repository, and a new
// workspace only adds a group. A child writes its results as JSON; this process reports them together.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ESLint } from 'eslint';
import { pool } from './pool.mjs';

const root = path.resolve(import.meta.dirname, '..');
const fix = process.argv.includes('--fix');
const sizeOnly = process.argv.includes('--size-only');
const SIZE_RULE = 'max-lines';
/** Heap for one group's child, MiB: the largest group (server, which imports every domain) peaked at 1.1 GiB RSS (December 2026). */
const CHILD_HEAP_MB = 3072;

// Child mode: lint the given patterns, write the results to the given file.
const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const out = process.argv[childAt + 1];
  const patterns = process.argv.slice(childAt + 2);
  const eslint = new ESLint({ cwd: root, fix, errorOnUnmatchedPattern: false });
  const results = await eslint.lintFiles(patterns);
  if (fix) await ESLint.outputFixes(results);
  writeFileSync(out, JSON.stringify(results));
  process.exit(0);
}

/** Groups of top-level folders linted together (folders that share most of their program stay together). */
const GROUPS = [
  ['platform', 'protocols', 'clients', 'test-support'],
  ['core-network'],
  ['identity'],
  ['device-mgmt', 'hardened-os'],
  ['app-store', 'secure-chat', 'simulators', 'lab'],
  ['noc'],
  ['server'],
];
const grouped = new Set(GROUPS.flat());
// Whatever else sits at the top level (root files, a folder added later) is linted in a last group, so
// nothing goes unlinted because this list was not updated.
// Root files go by glob (a file named outright that the config ignores would be reported as a warning).
const rest = [
  ...readdirSync(root, { withFileTypes: true })
    .filter(
      (e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules' && !grouped.has(e.name),
    )
    .map((e) => e.name),
  '*.ts',
  '*.tsx',
];
const groups = [...GROUPS, rest].filter((g) => g.length > 0);

function runGroup(patterns, out) {
  return new Promise((resolve, reject) => {
    const args = [`--max-old-space-size=${CHILD_HEAP_MB}`, import.meta.filename];
    if (fix) args.push('--fix');
    const child = spawn(process.execPath, [...args, '--child', out, ...patterns], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve(JSON.parse(readFileSync(out, 'utf8')))
        : reject(new Error(`lint of ${patterns.join(', ')} exited with ${signal ?? code}`)),
    );
  });
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'pakawaaz-lint-'));
const results = [];
try {
  // Two groups at a time: two cores, and two bounded heaps fit any machine that builds the project.
  await pool(
    groups.map((g, i) => async () => results.push(...(await runGroup(g, path.join(tmp, `${i}.json`))))),
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
results.sort((a, b) => a.filePath.localeCompare(b.filePath));

const eslint = new ESLint({ cwd: root });
const oversized = [];
const gating = results.map((r) => {
  const messages = r.messages.filter((m) => {
    if (m.ruleId !== SIZE_RULE) return true;
    oversized.push({ file: path.relative(root, r.filePath), message: m.message });
    return false;
  });
  const warningCount = messages.filter((m) => m.severity === 1).length;
  const fixableWarningCount = messages.filter((m) => m.severity === 1 && m.fix).length;
  return { ...r, messages, warningCount, fixableWarningCount };
});

let failed = false;
if (!sizeOnly) {
  const formatter = await eslint.loadFormatter('stylish');
  // No rulesMeta: the results come from the children, and stylish does not use it.
  const text = await formatter.format(gating, { cwd: root, rulesMeta: {} });
  if (text) process.stdout.write(text);
  failed = gating.some((r) => r.errorCount > 0 || r.warningCount > 0);
}

if (oversized.length > 0) {
  process.stdout.write(
    `\n[size report] ${oversized.length} file(s) over the limit (a warning, not a failure):\n`,
  );
  for (const o of oversized.sort((a, b) => a.file.localeCompare(b.file)))
    process.stdout.write(`  ${o.file}: ${o.message}\n`);
} else process.stdout.write(`\n[size report] no file over the limit\n`);

process.exit(failed ? 1 : 0);
