/** Replies to each task with this thread's nice value (the background-priority test of the worker pool). */
import { getPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', () => parentPort!.postMessage({ ok: true, output: getPriority() }));
