import { describe, expect, it } from 'vitest';
import { seqsGiven, seqsWhereWhole } from './enqueue.js';

describe('seqs a send batch gave (hand-off to sockets without a queue read)', () => {
  // Three envelopes: x to a and b, y to a, z to b and c. Each device's run: last seq - count + 1 onwards.
  const targets = [['a', 'b'], ['a'], ['b', 'c']];

  it("numbers each device's envelopes in batch order from its last seq back", () => {
    const taken = [
      { d: 'a', l: '12', n: 2 },
      { d: 'b', l: '7', n: 2 },
      { d: 'c', l: '1', n: 1 },
    ];
    const all = [
      new Map([
        ['a', 11],
        ['b', 6],
      ]),
      new Map([['a', 12]]),
      new Map([
        ['b', 7],
        ['c', 1],
      ]),
    ];
    expect(seqsGiven(targets, taken)).toEqual(all);
    expect(seqsWhereWhole(targets, taken)).toEqual(all);
  });

  it('leaves out a device that got fewer envelopes than meant (it left a group meanwhile): its socket reads', () => {
    // b was meant two but the statement queued it one (z's group no longer had it): which seq is which is
    // unknown, so b is handed nothing; a and c are exact.
    const taken = [
      { d: 'a', l: '12', n: 2 },
      { d: 'b', l: '7', n: 1 },
      { d: 'c', l: '1', n: 1 },
    ];
    expect(seqsWhereWhole(targets, taken)).toEqual([
      new Map([['a', 11]]),
      new Map([['a', 12]]),
      new Map([['c', 1]]),
    ]);
    // A device the statement queued nothing for is not in `taken` at all.
    expect(seqsWhereWhole([['a', 'd']], [{ d: 'a', l: '3', n: 1 }])).toEqual([new Map([['a', 3]])]);
  });
});
