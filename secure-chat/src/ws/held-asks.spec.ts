import { describe, expect, it } from 'vitest';
import { ANSWER_WAIT_MS, HeldAsks, MAX_OPEN_ASKS } from './held-asks.js';

/** A toy cluster: which node holds which devices, and which nodes are alive to answer an ask. */
const cluster = () => {
  const nodes = new Map<string, Set<string>>([
    ['B', new Set()],
    ['C', new Set()],
  ]);
  const dead = new Set<string>();
  const asks = new HeldAsks();
  let n = 0;
  /** Node A asks for its away devices; every live node answers with those it holds; the wait passes. */
  const queue = (away: string[], now: number) => {
    const id = `ask-${++n}`;
    expect(asks.ask(id, away, now)).toBe(true);
    for (const [node, held] of nodes)
      if (!dead.has(node)) {
        const mine = away.filter((d) => held.has(d));
        if (mine.length > 0) asks.held(id, mine, now);
      }
    return asks.due(now + ANSWER_WAIT_MS).find(([i]) => i === id)?.[1] ?? [];
  };
  return { nodes, dead, asks, queue };
};

describe('HeldAsks (cluster presence, asked per wake)', () => {
  it('pushes only the devices no node claims; an ask fully claimed closes at once', () => {
    const asks = new HeldAsks();
    expect(asks.ask('a1', ['d1', 'd2', 'd3'], 0)).toBe(true);
    expect(asks.held('a1', ['d1'], 0)).toBe('open');
    expect(asks.due(ANSWER_WAIT_MS - 1)).toEqual([]);
    expect(asks.due(ANSWER_WAIT_MS)).toEqual([['a1', ['d2', 'd3']]]);
    expect(asks.size).toBe(0);

    expect(asks.ask('a2', ['d1', 'd2'], 0)).toBe(true);
    expect(asks.held('a2', ['d1'], 0)).toBe('open');
    expect(asks.held('a2', ['d2'], ANSWER_WAIT_MS)).toBe('claimed');
    expect(asks.size).toBe(0);
    expect(asks.due(10 * ANSWER_WAIT_MS)).toEqual([]);
  });

  it('expiry: an answer after the wait changes nothing (the device was pushed)', () => {
    const asks = new HeldAsks();
    asks.ask('a1', ['d1'], 1000);
    expect(asks.due(1000 + ANSWER_WAIT_MS)).toEqual([['a1', ['d1']]]);
    expect(asks.held('a1', ['d1'], 1000 + ANSWER_WAIT_MS)).toBe('late');
    // An answer to an ask this node never opened (another node's) is late too.
    expect(asks.held('someone-else', ['d1'], 0)).toBe('late');
    // Past the wait, an answer is late even before the ask's timer has closed it (a busy event loop).
    asks.ask('a2', ['d2'], 1000);
    expect(asks.held('a2', ['d2'], 1000 + ANSWER_WAIT_MS + 1)).toBe('late');
    expect(asks.due(1000 + ANSWER_WAIT_MS + 1)).toEqual([['a2', ['d2']]]);
  });

  it('node death: the devices of a node that stopped answering are pushed from the next wake on', () => {
    const { nodes, dead, queue } = cluster();
    nodes.get('B')!.add('d1');
    expect(queue(['d1', 'nowhere'], 0)).toEqual(['nowhere']);
    dead.add('B');
    expect(queue(['d1', 'nowhere'], 60_000)).toEqual(['d1', 'nowhere']);
  });

  it('reconnect on another node: the new holder answers, the old one no longer does', () => {
    const { nodes, queue } = cluster();
    nodes.get('B')!.add('d1');
    expect(queue(['d1'], 0)).toEqual([]);
    // The handset's link dropped: connected nowhere for a while, it is pushed.
    nodes.get('B')!.delete('d1');
    expect(queue(['d1'], 10_000)).toEqual(['d1']);
    // It reconnects to node C: not pushed.
    nodes.get('C')!.add('d1');
    expect(queue(['d1'], 20_000)).toEqual([]);
  });

  it('is bounded: beyond MAX_OPEN_ASKS nothing more is opened (the caller pushes at once); drain pushes the rest', () => {
    const asks = new HeldAsks();
    for (let i = 0; i < MAX_OPEN_ASKS; i++) expect(asks.ask(`a${i}`, [`d${i}`], 0)).toBe(true);
    expect(asks.ask('one-more', ['x'], 0)).toBe(false);
    expect(asks.ask('a0', ['y'], 0)).toBe(false); // an id already open is not reopened
    asks.held('a1', ['d1'], 0);
    const drained = asks.drain();
    expect(drained).toHaveLength(MAX_OPEN_ASKS - 1);
    expect(drained[0]).toEqual(['a0', ['d0']]);
    expect(asks.size).toBe(0);
  });
});
