import { describe, expect, it } from 'vitest';
import { perTurn } from './per-turn.js';

describe('perTurn (one event a turn)', () => {
  it('sends the ids given in one turn once, in batches, each id once; the next turn starts again', async () => {
    const sent: string[][] = [];
    const add = perTurn((ids) => void sent.push(ids), 2);
    for (const id of ['a', 'b', 'a', 'c']) add(id);
    expect(sent).toEqual([]); // not before the turn ends
    await Promise.resolve();
    expect(sent).toEqual([['a', 'b'], ['c']]);
    add('d');
    await Promise.resolve();
    expect(sent).toEqual([['a', 'b'], ['c'], ['d']]);
  });
});
