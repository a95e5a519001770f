// A SIM import worker that dies on its first task, as a thread that runs out of memory would.
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', () => process.exit(3));
