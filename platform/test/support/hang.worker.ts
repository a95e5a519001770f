/** Spins forever on 'hang' (a task no message can interrupt); answers anything else at once. */
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', (task: string) => {
  if (task === 'hang') for (;;);
  parentPort!.postMessage({ ok: true, output: `done ${task}` });
});
