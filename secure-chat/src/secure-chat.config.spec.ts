import { describe, expect, it } from 'vitest';
import { commitLinger } from './secure-chat.config.js';

describe('commitLinger', () => {
  it('lingers on PostgreSQL for the configured time, a second statement at once for 16 writes waiting', () => {
    expect(commitLinger({ commitLingerMs: 2 }, 'postgresql')).toEqual({ linger: { ms: 2, batch: 16 } });
  });

  it('never on the embedded database (one statement at a time: nothing to linger for) nor when set to 0', () => {
    expect(commitLinger({ commitLingerMs: 2 }, 'embedded')).toEqual({});
    expect(commitLinger({ commitLingerMs: 0 }, 'postgresql')).toEqual({});
    expect(commitLinger(null, 'postgresql')).toEqual({});
  });
});
