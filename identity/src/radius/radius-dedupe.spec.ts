import { describe, expect, it } from 'vitest';
import { createRadiusDedupe, type DedupeKey } from './radius-dedupe.js';

const key = (overrides: Partial<DedupeKey> = {}): DedupeKey => ({
  clientId: 'client-1',
  address: '10.0.0.5',
  port: 40001,
  identifier: 17,
  authenticator: Buffer.alloc(16, 0xab),
  ...overrides,
});
const REPLY = Buffer.from('reply bytes');

describe('createRadiusDedupe', () => {
  it('reports a request as new, then in flight until it completes', () => {
    const cache = createRadiusDedupe();
    expect(cache.begin(key(), 0)).toEqual({ kind: 'new' });
    expect(cache.begin(key(), 100)).toEqual({ kind: 'in-flight' });
    expect(cache.begin(key(), 200)).toEqual({ kind: 'in-flight' });
  });

  it('replays the cached reply bytes for a retransmission within the window', () => {
    const cache = createRadiusDedupe({ windowMs: 30_000 });
    cache.begin(key(), 0);
    cache.complete(key(), REPLY, 1_000);
    expect(cache.begin(key(), 30_999)).toEqual({ kind: 'replay', reply: REPLY });
  });

  it('forgets the reply once the window has passed since completion', () => {
    const cache = createRadiusDedupe({ windowMs: 30_000 });
    cache.begin(key(), 0);
    cache.complete(key(), REPLY, 1_000);
    expect(cache.begin(key(), 31_000)).toEqual({ kind: 'new' });
  });

  it('forgets a request completed without a reply, so its retransmission is processed again', () => {
    const cache = createRadiusDedupe();
    cache.begin(key(), 0);
    cache.complete(key(), null, 10);
    expect(cache.begin(key(), 20)).toEqual({ kind: 'new' });
  });

  it('treats the same identifier with another authenticator as a new request', () => {
    const cache = createRadiusDedupe();
    cache.begin(key(), 0);
    cache.complete(key(), REPLY, 0);
    expect(cache.begin(key({ authenticator: Buffer.alloc(16, 0xac) }), 1)).toEqual({ kind: 'new' });
  });

  it('keys on client, address, port and identifier too', () => {
    const cache = createRadiusDedupe();
    cache.begin(key(), 0);
    cache.complete(key(), REPLY, 0);
    for (const other of [
      { clientId: 'client-2' },
      { address: '10.0.0.6' },
      { port: 40002 },
      { identifier: 18 },
    ]) {
      expect(cache.begin(key(other), 1)).toEqual({ kind: 'new' });
    }
    expect(cache.begin(key(), 1)).toEqual({ kind: 'replay', reply: REPLY });
  });

  it('evicts the oldest entry beyond its size', () => {
    const cache = createRadiusDedupe({ maxEntries: 3 });
    for (let identifier = 0; identifier < 4; identifier++) {
      cache.begin(key({ identifier }), identifier);
      cache.complete(key({ identifier }), REPLY, identifier);
    }
    expect(cache.size()).toBe(3);
    expect(cache.begin(key({ identifier: 0 }), 10)).toEqual({ kind: 'new' });
    expect(cache.begin(key({ identifier: 2 }), 10)).toEqual({ kind: 'replay', reply: REPLY });
  });

  it('counts a completed entry as recent: completion moves it to the back of the queue', () => {
    const cache = createRadiusDedupe({ maxEntries: 2 });
    cache.begin(key({ identifier: 1 }), 0);
    cache.begin(key({ identifier: 2 }), 1);
    cache.complete(key({ identifier: 1 }), REPLY, 2);
    cache.begin(key({ identifier: 3 }), 3); // evicts 2, the oldest untouched
    expect(cache.begin(key({ identifier: 1 }), 4)).toEqual({ kind: 'replay', reply: REPLY });
    expect(cache.begin(key({ identifier: 2 }), 4)).toEqual({ kind: 'new' });
  });

  it('sweeps expired entries so an idle cache shrinks', () => {
    const cache = createRadiusDedupe({ windowMs: 1_000 });
    for (let identifier = 0; identifier < 100; identifier++) cache.begin(key({ identifier }), identifier);
    expect(cache.size()).toBe(100);
    cache.begin(key({ identifier: 200 }), 5_000);
    expect(cache.size()).toBe(1);
  });

  it('refuses a non-positive window or size', () => {
    expect(() => createRadiusDedupe({ windowMs: 0 })).toThrow();
    expect(() => createRadiusDedupe({ maxEntries: 0 })).toThrow();
  });
});
