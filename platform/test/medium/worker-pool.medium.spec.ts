import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_NICE, WorkerPool, WorkerTimeoutError } from '../../src/workers/worker-pool.js';

/**
 * A background pool's threads run at a lower CPU priority (Linux keeps the nice value per thread); the
 * process's own thread — the event loop that answers HTTP and RADIUS — keeps its own.
 */
describe('worker pool priority and timeouts', () => {
  // Linux keeps nice values per thread; elsewhere the pool leaves priorities alone (worker-script.ts).
  it.skipIf(process.platform !== 'linux')('lowers the threads of a background pool only', async () => {
    const before = getPriority();
    const background = new WorkerPool<null, number>(import.meta.url, '../support/priority.worker', {
      name: 'priority-test',
      priority: 'background',
      size: 1,
    });
    const normal = new WorkerPool<null, number>(import.meta.url, '../support/priority.worker', {
      name: 'priority-test',
      size: 1,
    });
    try {
      expect(await background.run(null)).toBe(Math.min(19, before + BACKGROUND_NICE));
      expect(await normal.run(null)).toBe(before);
      expect(getPriority()).toBe(before);
    } finally {
      await background.close();
      await normal.close();
    }
  });

  it('stops a task that runs past the timeout, and serves the next one on a fresh thread', async () => {
    const pool = new WorkerPool<string, string>(import.meta.url, '../support/hang.worker', {
      name: 'hang-test',
      size: 1,
      taskTimeoutMs: 3_000, // includes starting the thread (tsx compiles the worker from source here)
    });
    try {
      const started = performance.now();
      await expect(pool.run('hang')).rejects.toBeInstanceOf(WorkerTimeoutError);
      expect(performance.now() - started).toBeLessThan(15_000);
      expect(await pool.run('next')).toBe('done next');
    } finally {
      await pool.close();
    }
  });
});
