import { describe, expect, it } from 'vitest';
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
  return { batches, flush, releaseAll };
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

  it('refuses a flush answer with fewer results than writes instead of leaving callers waiting', async () => {
    const group = new GroupCommit<number, number>({
      maxBatch: 10,
      maxInFlight: 1,
      flush: () => Promise.resolve([]),
    });
    await expect(group.write('a', 1)).rejects.toThrow(/fewer results/);
  });
});
