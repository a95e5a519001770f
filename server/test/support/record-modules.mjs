// Records every module the process loads, one URL a line, in the file named by PAKAWAAZ_MODULE_LOG:
// `node --import ./record-modules.mjs …`. On the main thread it registers itself as the loader hooks;
// in the hooks thread its `load` hook appends each URL synchronously, so nothing is lost at exit. At exit
// the main thread adds Node's own modules it loaded, as `node-internal:<id>` (e.g. undici behind fetch).
// A server process the supervisor of PAKAWAAZ_PROCESSES > 1 started (it inherits `--import`; the supervisor
// sets PAKAWAAZ_PROCESS_INDEX in its environment, Node's own NODE_UNIQUE_ID is gone by now) records in
// `<log>.process-<index>` instead, so the supervisor's file holds only what the supervisor loaded.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const base = process.env.PAKAWAAZ_MODULE_LOG;
const index = process.env.PAKAWAAZ_PROCESS_INDEX;
const log = base && index !== undefined ? `${base}.process-${index}` : base;

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
