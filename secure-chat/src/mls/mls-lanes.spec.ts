import { describe, expect, it, vi } from 'vitest';
import { MlsLaneBusyError, MlsLanes } from './mls-lanes.js';

/** A runner whose tasks finish when the test says so: which tasks run, in which order. */
function manual() {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const run = (task: unknown) =>
    new Promise<unknown>((resolve) => {
      started.push(String(task));
      finish.set(String(task), () => resolve(`${String(task)} done`));
    });
  const done = async (task: string) => {
    finish.get(task)!();
    await new Promise((r) => setImmediate(r));
  };
  return { run, started, done };
}

const limits = {
  'key-packages': { maxQueued: 4, maxWaitMs: 10_000, maxRunning: 2 },
  commit: { maxQueued: 3, maxWaitMs: 5_000, maxRunning: 1 },
};

describe('MlsLanes', () => {
  it('keeps a worker from a commit flood: a KeyPackage batch starts at once, commits one at a time', async () => {
    const m = manual();
    const lanes = new MlsLanes(m.run, 2, limits);
    const commits = ['c1', 'c2', 'c3'].map((c) => lanes.submit('commit', c));
    const kp = lanes.submit('key-packages', 'kp1');
    expect(m.started).toEqual(['c1', 'kp1']);
    await m.done('kp1');
    await expect(kp).resolves.toBe('kp1 done');
    await m.done('c1');
    expect(m.started).toEqual(['c1', 'kp1', 'c2']);
    await m.done('c2');
    await m.done('c3');
    await expect(Promise.all(commits)).resolves.toHaveLength(3);
  });

  it('refuses a task over its lane bound at once, the other lane still queueing', async () => {
    const m = manual();
    const lanes = new MlsLanes(m.run, 2, limits);
    for (const c of ['c1', 'c2', 'c3', 'c4']) void lanes.submit('commit', c).catch(() => undefined);
    expect(lanes.queued('commit')).toBe(3);
    await expect(lanes.submit('commit', 'c5')).rejects.toBeInstanceOf(MlsLaneBusyError);
    expect(lanes.queued('commit')).toBe(3);
    void lanes.submit('key-packages', 'kp1');
    expect(m.started).toEqual(['c1', 'kp1']);
  });

  it('refuses a task still queued when its lane wait elapses (by a timer, with no dispatch), and runs the next', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const m = manual();
      const lanes = new MlsLanes(m.run, 2, limits);
      void lanes.submit('commit', 'c1');
      const late = lanes.submit('commit', 'c2').catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(4_000);
      const fresh = lanes.submit('commit', 'c3');
      expect(lanes.queued('commit')).toBe(2);
      // c1 still runs: nothing is dispatched, yet c2 is refused when its 5 s are up — not at c1's end.
      await vi.advanceTimersByTimeAsync(1_000);
      expect(await late).toBeInstanceOf(MlsLaneBusyError);
      expect(lanes.queued('commit')).toBe(1);
      await m.done('c1');
      expect(m.started).toEqual(['c1', 'c3']);
      // c3, dispatched in time, is not refused by its timer later.
      await vi.advanceTimersByTimeAsync(10_000);
      await m.done('c3');
      await expect(fresh).resolves.toBe('c3 done');
    } finally {
      vi.useRealTimers();
    }
  });
});
