import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from a module next to the caller: `name.js` in the build (dist/), or `name.ts` when
 * the caller itself runs from TypeScript sources (vitest, scripts). A worker is a fresh V8 isolate that the
 * test runner's transform does not reach, so for sources it is bootstrapped through tsx's loader (a dev
 * dependency); the production build never needs it. A worker module imports only relative files, node:
 * built-ins and npm packages, never another workspace's public face.
 */
export function startWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  if (!fileURLToPath(callerUrl).endsWith('.ts'))
    return new Worker(new URL(`./${name}.js`, callerUrl), options);
  const ts = new URL(`./${name}.ts`, callerUrl).href;
  const tsx = pathToFileURL(tsxEsmApi(callerUrl)).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(ts)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** tsx's ESM loader API (the `import` condition of its `./esm/api` export; require.resolve gives the CommonJS one). */
function tsxEsmApi(callerUrl: string): string {
  const manifest = createRequire(callerUrl).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return path.join(path.dirname(manifest), pkg.exports['./esm/api']!.import.default);
}
