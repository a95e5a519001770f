// Records every module the process loads, one URL a line, in the file named by PAKAWAAZ_MODULE_LOG:
// `node --import ./record-modules.mjs …`. On the main thread it registers itself as the loader hooks;
// in the hooks thread its `load` hook appends each URL synchronously, so nothing is lost at exit.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) register(import.meta.url);

const log = process.env.PAKAWAAZ_MODULE_LOG;

export async function load(url, context, nextLoad) {
  if (log) appendFileSync(log, `${url}\n`);
  return nextLoad(url, context);
}
