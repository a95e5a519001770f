import { describe, expect, it } from 'vitest';
import { ackBatching, commitLinger } from './secure-chat.config.js';

describe('commitLinger', () => {
  it('lingers on PostgreSQL for the configured time, a second statement at once for 16 writes waiting', () => {
    expect(commitLinger({ commitLingerMs: 2 }, 'postgresql')).toEqual({
      linger: { ms: 2, batch: 16, idleMs: 0 },
    });
  });

  it('gathers on an idle slot only when asked (PAKAWAAZ_CHAT_COMMIT_GATHER_MS), and only with the linger on', () => {
    expect(commitLinger({ commitLingerMs: 2, commitGatherMs: 5 }, 'postgresql')).toEqual({
      linger: { ms: 2, batch: 16, idleMs: 5 },
    });
    expect(commitLinger({ commitLingerMs: 0, commitGatherMs: 5 }, 'postgresql')).toEqual({});
    expect(commitLinger({ commitLingerMs: 2, commitGatherMs: 5 }, 'embedded')).toEqual({});
  });

  it('never on the embedded database (one statement at a time: nothing to linger for) nor when set to 0', () => {
    expect(commitLinger({ commitLingerMs: 2 }, 'embedded')).toEqual({});
    expect(commitLinger({ commitLingerMs: 0 }, 'postgresql')).toEqual({});
    expect(commitLinger(null, 'postgresql')).toEqual({});
  });
});

describe('ackBatching', () => {
  it('gathers acks for the configured time or 256 of them, into statements of up to 256, on either database', () => {
    const gathered = { maxBatch: 256, linger: { ms: 20, batch: 256, idleMs: 20 } };
    expect(ackBatching({ commitLingerMs: 2, ackGatherMs: 20 }, 'postgresql')).toEqual(gathered);
    expect(ackBatching({ commitLingerMs: 2, ackGatherMs: 20 }, 'embedded')).toEqual(gathered);
  });

  it('batches acks as sends are when it is 0', () => {
    expect(ackBatching({ commitLingerMs: 2, ackGatherMs: 0 }, 'postgresql')).toEqual({
      linger: { ms: 2, batch: 16, idleMs: 0 },
    });
    expect(ackBatching({ commitLingerMs: 2 }, 'embedded')).toEqual({});
  });
});
