import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_NICE, WorkerPool } from '../../src/workers/worker-pool.js';

/**
 * A background pool's threads run at a lower CPU priority (Linux keeps the nice value per thread); the
 * process's own thread — the event loop that answers HTTP and RADIUS — keeps its own.
 */
describe('worker pool priority', () => {
  it('lowers the threads of a background pool only', async () => {
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
});
