import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from a module next to the caller: `name.js` in the build (dist/), or `name.ts` when
 * the caller itself runs from TypeScript sources (vitest, scripts). A worker is a fresh V8 isolate that the
 * test runner's transform does not reach, so for sources it is bootstrapped through tsx's loader (a dev
 * dependency); the production build never needs it. A worker module imports only relative files, node:
 * built-ins and npm packages, never another workspace's public face. `nice` lowers the thread's CPU priority
 * by that many steps of the nice value (at most to 19) before its module loads: bulk jobs' threads then
 * yield the CPU to the event loop and the database.
 */
export function startWorker(
  callerUrl: string,
  name: string,
  { nice, ...options }: WorkerOptions & { nice?: number } = {},
): Worker {
  // Linux keeps a nice value per thread: os.setPriority() in the thread itself lowers that thread only.
  // Relative to the process's own value, so a thread never gets more priority than its process (as root it could).
  // Elsewhere (macOS, BSD) the same call renices the whole process: the thread then keeps its priority.
  const lower =
    nice === undefined || process.platform !== 'linux'
      ? ''
      : `import('node:os').then((os) => { try { os.setPriority(Math.min(19, os.getPriority() + ${Math.trunc(nice)})); } catch {} }).then(() => `;
  const close = lower === '' ? '' : ')';
  if (!fileURLToPath(callerUrl).endsWith('.ts')) {
    const js = new URL(`./${name}.js`, callerUrl);
    if (lower === '') return new Worker(js, options);
    return new Worker(`${lower}import(${JSON.stringify(js.href)})${close}`, { ...options, eval: true });
  }
  const ts = new URL(`./${name}.ts`, callerUrl).href;
  const tsx = pathToFileURL(tsxEsmApi(callerUrl)).href;
  // The caller's package tsconfig, not the one of the working directory (the repository root's has no
  // compilerOptions): without experimentalDecorators, asn1-schema's decorated classes break in the worker.
  const tsconfig = JSON.stringify(nearestTsconfig(fileURLToPath(callerUrl)));
  const load = `import(${JSON.stringify(tsx)}).then((m) => { m.register({ tsconfig: ${tsconfig} }); return import(${JSON.stringify(ts)}); })`;
  return new Worker(`${lower}${load}${close}`, { ...options, eval: true });
}

/** The tsconfig.json of the package a source file belongs to (the nearest one above it). */
function nearestTsconfig(file: string): string {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'tsconfig.json');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`no tsconfig.json above ${file}`);
  }
}

/** tsx's ESM loader API (the `import` condition of its `./esm/api` export; require.resolve gives the CommonJS one). */
function tsxEsmApi(callerUrl: string): string {
  const manifest = createRequire(callerUrl).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return path.join(path.dirname(manifest), pkg.exports['./esm/api']!.import.default);
}
