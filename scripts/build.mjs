#!/usr/bin/env node
// Builds the TypeScript workspaces (tsc -b, incremental) and the NOC SPA (vite), with progress on stderr.
// --if-needed: rebuild the NOC only when its sources are newer than noc/dist (npm start uses this).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ifNeeded = process.argv.includes('--if-needed');
const root = path.resolve(import.meta.dirname, '..');

function run(label, cmd, args, cwd = root) {
  const t = Date.now();
  process.stderr.write(`[build] ${label}…\n`);
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(
      `[build] ${label} failed (exit ${r.status}). Fix the errors above and run \`npm run build\` again.\n`,
    );
    process.exit(r.status ?? 1);
  }
  process.stderr.write(`[build] ${label} done in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
}

function newest(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(p).map((f) => newest(path.join(p, f))));
}

const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
run('workspaces: protocols, domains, server, lab (tsc -b)', process.execPath, [tsc, '-b']);

const nocDir = path.join(root, 'noc');
const nocIndex = path.join(nocDir, 'dist', 'index.html');
const nocSources = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'].map((f) =>
  path.join(nocDir, f),
);
const nocStale = !existsSync(nocIndex) || Math.max(...nocSources.map(newest)) > statSync(nocIndex).mtimeMs;
if (!ifNeeded || nocStale) {
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  run('NOC dashboard (vite build)', process.execPath, [vite, 'build', '--logLevel', 'warn'], nocDir);
}

// The officials' web chat (web-chat/, served at /chat/): its own Vite build, apart from the NOC.
const webChatDir = path.join(root, 'web-chat');
const webChatIndex = path.join(webChatDir, 'dist', 'index.html');
const webChatSources = ['src', 'index.html', 'vite.config.ts', 'package.json', '../lab/src/chat'].map((f) =>
  path.join(webChatDir, f),
);
const webChatStale =
  !existsSync(webChatIndex) || Math.max(...webChatSources.map(newest)) > statSync(webChatIndex).mtimeMs;
if (!ifNeeded || webChatStale) {
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  run('web chat (vite build)', process.execPath, [vite, 'build', '--logLevel', 'warn'], webChatDir);
}
