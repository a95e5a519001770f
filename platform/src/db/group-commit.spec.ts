import { afterEach, describe, expect, it, vi } from 'vitest';
import { GroupCommit, type Keyed, type Settled } from './group-commit.js';

/** A flush the test releases by hand, recording each batch's keys. */
function gated() {
  const batches: string[][] = [];
  const gates: (() => void)[] = [];
  const flush = async (batch: readonly Keyed<number>[]): Promise<Settled<number>[]> => {
    batches.push(batch.map((b) => b.key));
    await new Promise<void>((r) => gates.push(r));
    return batch.map((b) => ({ ok: true, value: b.item * 10 }));
  };
  const releaseAll = async () => {
    while (gates.length > 0) {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
  };
  /** Ends the oldest statement in flight and lets what it settles run. */
  const releaseOne = async () => {
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { batches, flush, releaseAll, releaseOne };
}

describe('GroupCommit', () => {
  it('flushes at once when a slot is free and batches what arrives while every slot is busy', async () => {
    const g = gated();
    const group = new GroupCommit({ flush: g.flush, maxBatch: 10, maxInFlight: 1 });
    const first = group.write('a', 1);
    const rest = ['d', 'c', 'b'].map((k, i) => group.write(k, i + 2));
    expect(g.batches).toEqual([['a']]);
    await g.releaseAll();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    // The second batch holds the three that waited, sorted by key (one lock order for every batch).
    expect(g.batches).toEqual([['a'], ['b', 'c', 'd']]);
    expect(group.stats()).toMatchObject({ waiting: 0, inFlight: 0, largestBatch: 3 });
  });

  it('never puts two writes of one key in flight: the later waits for the earlier, in order', async () => {
    const g = gated();
    const group = new GroupCommit({ flush: g.flush, maxBatch: 10, maxInFlight: 3 });
    const writes = [group.write('a', 1), group.write('a', 2), group.write('b', 3), group.write('a', 4)];
    expect(g.batches).toEqual([['a'], ['b']]);
    await g.releaseAll();
    expect(await Promise.all(writes)).toEqual([10, 20, 30, 40]);
    expect(g.batches).toEqual([['a'], ['b'], ['a'], ['a']]);
  });

  it('caps a batch at maxBatch and statements in flight at maxInFlight', async () => {
    const g = gated();
    const group = new GroupCommit({ flush: g.flush, maxBatch: 2, maxInFlight: 2 });
    const writes = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k, i) => group.write(k, i));
    expect(g.batches).toEqual([['a'], ['b']]);
    await g.releaseAll();
    await Promise.all(writes);
    expect(g.batches.every((b) => b.length <= 2)).toBe(true);
    expect(g.batches.flat().sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  it('a write that fails on its own fails alone; a flush that throws fails its batch, and the next batch still runs', async () => {
    let calls = 0;
    const group = new GroupCommit<number, number>({
      maxBatch: 10,
      maxInFlight: 1,
      flush: async (batch) => {
        calls++;
        await Promise.resolve();
        if (calls === 2) throw new Error('connection lost');
        return batch.map((b) =>
          b.item < 0 ? { ok: false, error: new Error(`bad ${b.key}`) } : { ok: true, value: b.item },
        );
      },
    });
    const a = group.write('a', 1);
    const [b, c] = [group.write('b', 2), group.write('c', 3)];
    await expect(a).resolves.toBe(1);
    await expect(b).rejects.toThrow('connection lost');
    await expect(c).rejects.toThrow('connection lost');
    const [d, e] = [group.write('d', -1), group.write('e', 5)];
    await expect(d).rejects.toThrow('bad d');
    await expect(e).resolves.toBe(5);
  });

  it('with merge, writes of one key that wait together go out as one, every caller getting its answer', async () => {
    const g = gated();
    const group = new GroupCommit({ flush: g.flush, maxBatch: 10, maxInFlight: 1, merge: Math.max });
    const writes = [group.write('d', 1), group.write('d', 2), group.write('e', 1), group.write('d', 3)];
    writes.push(group.write('d', 2)); // merged into the waiting 3: the highest stays
    await g.releaseAll();
    // The first d was in flight; the later ones waited for it as one write (3), beside e.
    expect(g.batches).toEqual([['d'], ['d', 'e']]);
    expect(await Promise.all(writes)).toEqual([10, 30, 10, 30, 30]);
    expect(group.stats().waiting).toBe(0);
  });

  it('answers any number of merged callers (50,000 behind one key in flight)', async () => {
    const g = gated();
    const group = new GroupCommit({ flush: g.flush, maxBatch: 10, maxInFlight: 1, merge: Math.max });
    const writes = Array.from({ length: 50_001 }, (_, i) => group.write('d', i));
    await g.releaseAll();
    const answers = await Promise.all(writes);
    expect(answers[0]).toBe(0);
    expect(new Set(answers.slice(1))).toEqual(new Set([500_000])); // one write, to the highest
    expect(g.batches).toEqual([['d'], ['d']]);
  });

  it('drain ends a gathering wait at once and resolves when nothing waits or is in flight', async () => {
    const g = gated();
    const group = new GroupCommit({
      flush: g.flush,
      maxBatch: 10,
      maxInFlight: 2,
      linger: { ms: 60_000, batch: 10, idleMs: 60_000 },
    });
    const writes = [group.write('a', 1), group.write('b', 2)];
    expect(g.batches).toEqual([]); // gathering for a minute
    let drained = false;
    const drain = group.drain().then(() => (drained = true));
    expect(g.batches).toEqual([['a', 'b']]);
    writes.push(group.write('c', 3)); // after drain began: at once, no lingering
    expect(g.batches).toEqual([['a', 'b'], ['c']]);
    await g.releaseOne();
    expect(drained).toBe(false);
    await g.releaseAll();
    await drain;
    expect(await Promise.all(writes)).toEqual([10, 20, 30]);
  });

  it('refuses a flush answer with fewer results than writes instead of leaving callers waiting', async () => {
    const group = new GroupCommit<number, number>({
      maxBatch: 10,
      maxInFlight: 1,
      flush: () => Promise.resolve([]),
    });
    await expect(group.write('a', 1)).rejects.toThrow(/fewer results/);
  });

  describe('lingering', () => {
    afterEach(() => void vi.useRealTimers());
    const lingering = (g: ReturnType<typeof gated>) =>
      new GroupCommit({ flush: g.flush, maxBatch: 10, maxInFlight: 3, linger: { ms: 5, batch: 3 } });

    it('flushes the first statement at once; with one in flight, what arrives waits for it and goes out together', async () => {
      const g = gated();
      const group = lingering(g);
      const writes = [group.write('a', 1)];
      expect(g.batches).toEqual([['a']]); // idle: no wait at all
      writes.push(group.write('c', 2), group.write('b', 3));
      expect(g.batches).toEqual([['a']]); // two slots free, but two writes are fewer than linger.batch
      await g.releaseOne();
      expect(g.batches).toEqual([['a'], ['b', 'c']]); // the statement ended: they went at once, together
      await g.releaseAll();
      expect(await Promise.all(writes)).toEqual([10, 20, 30]);
    });

    it('opens another slot at once for linger.batch writes waiting (a burst keeps its parallelism)', async () => {
      const g = gated();
      const group = lingering(g);
      const writes = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k, i) => group.write(k, i));
      expect(g.batches).toEqual([['a'], ['b', 'c', 'd'], ['e', 'f', 'g']]);
      await g.releaseAll();
      expect(await Promise.all(writes)).toEqual([0, 10, 20, 30, 40, 50, 60]);
      expect(g.batches.flat().sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    });

    it('waits at most linger.ms for a statement that takes longer, then opens another slot', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const g = gated();
      const group = lingering(g);
      const writes = [group.write('a', 1), group.write('b', 2)];
      vi.advanceTimersByTime(4);
      expect(g.batches).toEqual([['a']]);
      vi.advanceTimersByTime(1);
      expect(g.batches).toEqual([['a'], ['b']]);
      // The next write waits again: the timer is armed anew for each wait, not left expired.
      writes.push(group.write('c', 3));
      expect(g.batches).toEqual([['a'], ['b']]);
      vi.advanceTimersByTime(5);
      expect(g.batches).toEqual([['a'], ['b'], ['c']]);
      await g.releaseAll();
      expect(await Promise.all(writes)).toEqual([10, 20, 30]);
    });

    it('sends what waited as soon as any statement in flight ends, not only the last one', async () => {
      const g = gated();
      const group = lingering(g);
      const writes = ['a', 'b', 'c', 'd'].map((k, i) => group.write(k, i)); // a, then [b c d] at once
      writes.push(group.write('e', 4)); // one waiting: it lingers
      expect(g.batches).toEqual([['a'], ['b', 'c', 'd']]);
      await g.releaseOne(); // a's statement ends; b c d's is still in flight
      expect(g.batches).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
      await g.releaseAll();
      expect(await Promise.all(writes)).toEqual([0, 10, 20, 30, 40]);
    });

    it('a wait that ended with only busy keys waiting does not let the next write skip its own wait', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const g = gated();
      const group = lingering(g);
      const writes = [group.write('a', 1), group.write('a', 2)]; // the second waits for the first's key
      vi.advanceTimersByTime(5); // the wait ends: nothing can go (a is busy)
      writes.push(group.write('b', 3));
      expect(g.batches).toEqual([['a']]); // b lingers as any write would
      vi.advanceTimersByTime(5);
      expect(g.batches).toEqual([['a'], ['b']]);
      await g.releaseAll();
      expect(await Promise.all(writes)).toEqual([10, 20, 30]);
    });

    describe('with idleMs (a gathering window on an idle slot)', () => {
      const gathering = (g: ReturnType<typeof gated>) =>
        new GroupCommit({
          flush: g.flush,
          maxBatch: 10,
          maxInFlight: 3,
          linger: { ms: 5, batch: 3, idleMs: 4 },
        });

      it('the first statement waits idleMs after the first write, and takes what arrived meanwhile', async () => {
        vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
        const g = gated();
        const group = gathering(g);
        const writes = [group.write('b', 1)];
        vi.advanceTimersByTime(2);
        writes.push(group.write('a', 2)); // does not start the window again
        vi.advanceTimersByTime(1);
        expect(g.batches).toEqual([]);
        vi.advanceTimersByTime(1);
        expect(g.batches).toEqual([['a', 'b']]);
        // With a statement in flight, the next write lingers by linger.ms (5), not idleMs.
        writes.push(group.write('c', 3));
        vi.advanceTimersByTime(4);
        expect(g.batches).toEqual([['a', 'b']]);
        vi.advanceTimersByTime(1);
        expect(g.batches).toEqual([['a', 'b'], ['c']]);
        await g.releaseAll();
        expect(await Promise.all(writes)).toEqual([10, 20, 30]);
      });

      it('goes at once for linger.batch writes waiting, and waits anew once the slots are idle again', async () => {
        vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
        const g = gated();
        const group = gathering(g);
        const writes = ['a', 'b', 'c'].map((k, i) => group.write(k, i));
        expect(g.batches).toEqual([['a', 'b', 'c']]);
        await g.releaseAll();
        vi.advanceTimersByTime(10); // the window that batch cut short left no timer behind to fire later
        writes.push(group.write('d', 3));
        vi.advanceTimersByTime(3);
        expect(g.batches).toEqual([['a', 'b', 'c']]);
        vi.advanceTimersByTime(1);
        expect(g.batches).toEqual([['a', 'b', 'c'], ['d']]);
        await g.releaseAll();
        expect(await Promise.all(writes)).toEqual([0, 10, 20, 30]);
      });

      it('waits for no more writes than one statement may take (maxBatch below linger.batch)', async () => {
        vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
        const g = gated();
        const group = new GroupCommit({
          flush: g.flush,
          maxBatch: 2,
          maxInFlight: 1,
          linger: { ms: 5, batch: 16, idleMs: 4 },
        });
        const writes = [group.write('a', 1), group.write('b', 2)];
        expect(g.batches).toEqual([['a', 'b']]);
        await g.releaseAll();
        expect(await Promise.all(writes)).toEqual([10, 20]);
      });
    });

    it('refuses a linger without a positive batch', () => {
      expect(
        () =>
          new GroupCommit({ flush: gated().flush, maxBatch: 2, maxInFlight: 2, linger: { ms: 1, batch: 0 } }),
      ).toThrow(RangeError);
    });
  });
});
