#!/usr/bin/env node
// `npm run check`: typecheck (workspaces, tests, NOC, web chat) + lint (type-checked rules, the floors; size
// warnings reported, not failing) + formatting + OpenAPI drift (server and the generated API client).
//
// After the build, the independent steps run two at a time (two cores; CI runs this on a 2-core machine):
// every workspace's test/ folder is typechecked as ONE program (tsconfig.tests.json) — one program per folder
// re-read and re-checked the same sources nine times over, about 8 min of CI's check on the 2-core machine,
// and the one program takes about as long as the largest folder alone. Lint runs last, on both cores itself.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pool } from './pool.mjs';

const root = path.resolve(import.meta.dirname, '..');
const bin = (pkg, file) => path.join(root, 'node_modules', pkg, file);
const failed = [];
const node = process.execPath;
const tsc = bin('typescript', 'bin/tsc');
const seconds = (t) => ((Date.now() - t) / 1000).toFixed(1);

/** Runs one step with its output shown as it comes; resolves to whether it passed. */
function step(label, cmd, args) {
  const t = Date.now();
  process.stderr.write(`[check] ${label}…\n`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
    const done = (ok) => {
      process.stderr.write(`[check] ${label}: ${ok ? 'ok' : 'FAILED'} (${seconds(t)} s)\n`);
      if (!ok) failed.push(label);
      resolve(ok);
    };
    child.on('error', () => done(false));
    child.on('exit', (code) => done(code === 0));
  });
}

if (!(await step('build (tsc -b, NOC)', node, [path.join(root, 'scripts/build.mjs'), '--if-needed'])))
  finish();

// Each workspace's src is typechecked by `tsc -b` above; its test/ folder (not built) in tsconfig.tests.json.
// The one program honours only tsconfig.tests.json's options: each folder's own tsconfig.json must say the same,
// and a test/ folder with TypeScript in it needs one (and a place in the list), or it would go unchecked.
const testsConfig = path.join(root, 'tsconfig.tests.json');
const tests = JSON.parse(readFileSync(testsConfig, 'utf8'));
const testDirs = workspaceDirs()
  .map((w) => `${w}/test`)
  .filter((p) => existsSync(path.join(root, p)));
const problems = [];
for (const dir of testDirs) {
  const own = path.join(root, dir, 'tsconfig.json');
  if (!existsSync(own)) {
    if (readdirSync(path.join(root, dir), { recursive: true }).some((f) => /\.tsx?$/.test(String(f))))
      problems.push(`${dir} has TypeScript but no tsconfig.json`);
    continue;
  }
  if (!tests.include.includes(dir)) problems.push(`tsconfig.tests.json does not include ${dir}`);
  const options = JSON.parse(readFileSync(own, 'utf8')).compilerOptions;
  if (JSON.stringify(options) !== JSON.stringify(tests.compilerOptions))
    problems.push(
      `${dir}/tsconfig.json's compilerOptions differ from tsconfig.tests.json's (check uses those)`,
    );
}
if (problems.length) {
  for (const p of problems) process.stderr.write(`[check] ${p}\n`);
  failed.push('tsconfig.tests.json covers every test/ folder, with the same options');
}

await pool([
  () =>
    step(`typecheck tests (${tests.include.length} test/ folders, one program)`, node, [
      tsc,
      '-p',
      testsConfig,
    ]),
  () => step('typecheck noc', node, [tsc, '-p', 'noc', '--noEmit']),
  () => step('typecheck web-chat', node, [tsc, '-p', 'web-chat', '--noEmit']),
  () =>
    step('format (prettier --check)', node, [
      bin('prettier', 'bin/prettier.cjs'),
      '--check',
      '--log-level=warn',
      '.',
    ]),
  apiDrift,
]);
await step('lint (typescript-eslint type-checked, floors; size report)', node, [
  path.join(root, 'scripts/lint.mjs'),
]);
finish();

/** OpenAPI drift: openapi.json from the server, and the typed client generated from the committed one. */
async function apiDrift() {
  // The tool opens an in-memory embedded database: node's flag for it (platform/src/db/wasm-flags.ts).
  await step('OpenAPI drift (openapi.json)', node, [
    '--liftoff-only',
    path.join(root, 'server/dist/tools/openapi.js'),
  ]);
  // The typed client (@pakawaaz/api-client: CLI, lab, NOC) must be generated from the committed openapi.json.
  const tmp = mkdtempSync(path.join(tmpdir(), 'pakawaaz-check-'));
  const generated = path.join(tmp, 'schema.d.ts');
  const args = [bin('openapi-typescript', 'bin/cli.js'), 'openapi.json', '-o', generated, '--silent'];
  if (await step('generate API client types', node, args)) {
    const same =
      readFileSync(generated, 'utf8') === readFileSync(path.join(root, 'clients/api/src/schema.ts'), 'utf8');
    process.stderr.write(
      `[check] API client drift: ${same ? 'ok' : 'FAILED — run `npm run gen:api -w @pakawaaz/api-client` and commit'}\n`,
    );
    if (!same) failed.push('API client drift');
  }
  rmSync(tmp, { recursive: true, force: true });
}

function finish() {
  if (failed.length) {
    process.stderr.write(`\n[check] failed: ${failed.join(', ')}\n`);
    process.exit(1);
  }
  process.stderr.write('\n[check] all checks passed\n');
  process.exit(0);
}

/** The npm workspaces of package.json, with `dir/*` globs expanded. */
function workspaceDirs() {
  const { workspaces } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  return workspaces.flatMap((w) =>
    w.endsWith('/*')
      ? readdirSync(path.join(root, w.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => `${w.slice(0, -2)}/${d.name}`)
      : [w],
  );
}
