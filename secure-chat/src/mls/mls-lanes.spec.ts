import { describe, expect, it } from 'vitest';
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

  it('drops a task that waited longer than its lane allows, and runs the next', async () => {
    const m = manual();
    let now = 0;
    const lanes = new MlsLanes(m.run, 2, limits, () => now);
    void lanes.submit('commit', 'c1');
    const late = lanes.submit('commit', 'c2').catch((e: unknown) => e);
    now = 4_000;
    const fresh = lanes.submit('commit', 'c3');
    now = 6_000;
    await m.done('c1');
    expect(await late).toBeInstanceOf(MlsLaneBusyError);
    expect(m.started).toEqual(['c1', 'c3']);
    await m.done('c3');
    await expect(fresh).resolves.toBe('c3 done');
  });
});
