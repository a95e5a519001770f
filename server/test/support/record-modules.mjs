// Records every module the process loads, one URL a line, in the file named by PAKAWAAZ_MODULE_LOG:
// `node --import ./record-modules.mjs …`. On the main thread it registers itself as the loader hooks;
// in the hooks thread its `load` hook appends each URL synchronously, so nothing is lost at exit. At exit
// the main thread adds Node's own modules it loaded, as `node-internal:<id>` (e.g. undici behind fetch).
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const log = process.env.PAKAWAAZ_MODULE_LOG;

if (isMainThread) {
  register(import.meta.url);
  process.once('exit', () => {
    const internal = process.moduleLoadList.filter((m) => m.startsWith('NativeModule '));
    if (log) appendFileSync(log, internal.map((m) => `node-internal:${m.slice(13)}\n`).join(''));
  });
}

export async function load(url, context, nextLoad) {
  if (log) appendFileSync(log, `${url}\n`);
  return nextLoad(url, context);
}
