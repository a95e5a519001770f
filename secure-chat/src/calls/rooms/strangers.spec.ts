import { describe, expect, it } from 'vitest';
import { strangers } from './strangers.js';

const rec = (participantId: number, state: 'joined' | 'left' | 'removed') => ({ participantId, state });

describe('strangers (which Janus participants to kick from a call room)', () => {
  it('keeps the participants the record has joined', () => {
    expect(strangers([{ id: 1 }, { id: 2 }], [rec(1, 'joined'), rec(2, 'joined')])).toEqual([]);
  });

  it('kicks an id nobody was issued', () => {
    expect(strangers([{ id: 1 }, { id: 99 }], [rec(1, 'joined')])).toEqual([99]);
  });

  it('kicks the id of an official who left, or was taken out (someone else publishing under it)', () => {
    expect(
      strangers([{ id: 1 }, { id: 2 }, { id: 3 }], [rec(1, 'joined'), rec(2, 'left'), rec(3, 'removed')]),
    ).toEqual([2, 3]);
  });

  it('kicks whoever holds the id just handed to a device asking to join, even though the record has it joined', () => {
    expect(strangers([{ id: 1 }, { id: 2 }], [rec(1, 'joined'), rec(2, 'joined')], 2)).toEqual([2]);
    expect(strangers([{ id: 1 }], [rec(1, 'joined'), rec(2, 'joined')], 2)).toEqual([]);
  });

  it('names each id once, and an empty room kicks nobody', () => {
    expect(strangers([{ id: 7 }, { id: 7 }], [])).toEqual([7]);
    expect(strangers([], [rec(1, 'left')])).toEqual([]);
  });
});
