#!/usr/bin/env node
// `npm run check`: typecheck (workspaces, tests, NOC) + lint (type-checked rules, the floors; size warnings
// reported, not failing) + formatting + OpenAPI drift (server and the generated API client).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = (pkg, file) => path.join(root, 'node_modules', pkg, file);
let failed = [];

function step(label, cmd, args, opts = {}) {
  const t = Date.now();
  process.stderr.write(`[check] ${label}…\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  const ok = r.status === 0;
  process.stderr.write(
    `[check] ${label}: ${ok ? 'ok' : 'FAILED'} (${((Date.now() - t) / 1000).toFixed(1)} s)\n`,
  );
  if (!ok) failed.push(label);
  return ok;
}

const node = process.execPath;
const tsc = bin('typescript', 'bin/tsc');
step('build (tsc -b, NOC)', node, [path.join(root, 'scripts/build.mjs'), '--if-needed']);
// Each workspace's src is typechecked by `tsc -b` above; its test/ folder (not built) here.
for (const p of workspaceDirs().map((w) => `${w}/test`))
  if (existsSync(path.join(root, p, 'tsconfig.json'))) step(`typecheck ${p}`, node, [tsc, '-p', p]);
step('typecheck noc', node, [tsc, '-p', 'noc', '--noEmit']);
step('typecheck web-chat', node, [tsc, '-p', 'web-chat', '--noEmit']);
step('lint (typescript-eslint type-checked, floors; size report)', node, [
  path.join(root, 'scripts/lint.mjs'),
]);
step('format (prettier --check)', node, [
  bin('prettier', 'bin/prettier.cjs'),
  '--check',
  '--log-level=warn',
  '.',
]);
// The tool opens an in-memory embedded database: node's flag for it (platform/src/db/wasm-flags.ts).
step('OpenAPI drift (openapi.json)', node, [
  '--liftoff-only',
  path.join(root, 'server/dist/tools/openapi.js'),
]);

// The typed client (@pakawaaz/api-client: CLI, lab, NOC) must be generated from the committed openapi.json.
const tmp = mkdtempSync(path.join(tmpdir(), 'pakawaaz-check-'));
const generated = path.join(tmp, 'schema.d.ts');
if (
  step('generate API client types', node, [
    bin('openapi-typescript', 'bin/cli.js'),
    'openapi.json',
    '-o',
    generated,
    '--silent',
  ])
) {
  const same =
    readFileSync(generated, 'utf8') === readFileSync(path.join(root, 'clients/api/src/schema.ts'), 'utf8');
  process.stderr.write(
    `[check] API client drift: ${same ? 'ok' : 'FAILED — run `npm run gen:api -w @pakawaaz/api-client` and commit'}\n`,
  );
  if (!same) failed.push('API client drift');
}
rmSync(tmp, { recursive: true, force: true });

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

if (failed.length) {
  process.stderr.write(`\n[check] failed: ${failed.join(', ')}\n`);
  process.exit(1);
}
process.stderr.write('\n[check] all checks passed\n');
