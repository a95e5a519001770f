import { describe, expect, it } from 'vitest';
import { departedFeeds, feedOwner } from './call-tiles.ts';

const p = (participantId: number, userId: string, state: 'joined' | 'left' | 'removed') => ({
  deviceId: `dev-${userId}`,
  userId,
  participantId,
  state,
});

describe('whose feed a tile shows (from the call record, never from Janus)', () => {
  const record = {
    participants: [p(1, 'user-amina', 'joined'), p(2, 'user-bilal', 'left'), p(3, 'user-carol', 'removed')],
  };

  it('names a feed after the participant the record has joined under its id', () => {
    expect(feedOwner(record, 1)).toBe('user-amina');
  });

  it('lends no name to a feed under the id of an official who left or was taken out (someone else publishing)', () => {
    expect(feedOwner(record, 2)).toBeNull();
    expect(feedOwner(record, 3)).toBeNull();
  });

  it('names no feed the record does not know, nor any feed without a record', () => {
    expect(feedOwner(record, 99)).toBeNull();
    expect(feedOwner(null, 1)).toBeNull();
  });

  it('takes off, at each poll, every feed on screen whose participant is not joined (any more, or ever)', () => {
    expect(departedFeeds(record, [1, 2, 3, 99])).toEqual([2, 3, 99]);
    const rejoined = { participants: [p(1, 'user-amina', 'joined'), p(2, 'user-bilal', 'joined')] };
    expect(departedFeeds(rejoined, [1, 2])).toEqual([]);
  });
});
