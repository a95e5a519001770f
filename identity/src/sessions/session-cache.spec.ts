import { describe, expect, it } from 'vitest';
import { SessionCache, type SessionState } from './session-cache.js';

const t0 = new Date('2026-12-01T08:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);

function setup(initial: Partial<SessionState> = {}) {
  const db = new Map<string, SessionState>([
    [
      's1',
      {
        createdAt: t0,
        lastSeenAt: t0,
        idleTimeoutSeconds: 900,
        expiresAt: at(43_200),
        revoked: false,
        ...initial,
      },
    ],
  ]);
  const loads: string[] = [];
  const touches: [string, number][] = [];
  const cache = new SessionCache({
    load: (sid) => {
      loads.push(sid);
      const s = db.get(sid);
      return Promise.resolve(s ? { ...s } : null);
    },
    touch: (sid, when) => {
      touches.push([sid, (when.getTime() - t0.getTime()) / 1000]);
      const s = db.get(sid);
      if (s) s.lastSeenAt = when;
      return Promise.resolve();
    },
    recheckMs: 5_000,
    touchEveryMs: 60_000,
    maxEntries: 2,
  });
  return { db, loads, touches, cache };
}

describe('SessionCache', () => {
  it('answers from memory within the recheck interval and re-reads after it', async () => {
    const { cache, loads } = setup();
    expect(await cache.alive('s1', at(1))).toBe(true);
    expect(await cache.alive('s1', at(3))).toBe(true);
    expect(loads).toEqual(['s1']);
    expect(await cache.alive('s1', at(7))).toBe(true);
    expect(loads).toEqual(['s1', 's1']);
  });

  it('a local revocation is immediate; a revocation elsewhere is seen after the recheck interval', async () => {
    const { cache, db } = setup();
    expect(await cache.alive('s1', at(1))).toBe(true);
    cache.revoked('s1');
    expect(await cache.alive('s1', at(2))).toBe(false);

    const other = setup();
    expect(await other.cache.alive('s1', at(1))).toBe(true);
    other.db.get('s1')!.revoked = true;
    expect(await other.cache.alive('s1', at(4))).toBe(true);
    expect(await other.cache.alive('s1', at(7))).toBe(false);
    expect(db.size).toBe(1);
  });

  it('unknown sessions are not alive', async () => {
    expect(await setup().cache.alive('nope', at(1))).toBe(false);
  });

  it('activity keeps a session alive past the idle limit, written at most once a minute', async () => {
    const { cache, touches } = setup();
    for (let s = 0; s <= 1800; s += 300) expect(await cache.alive('s1', at(s))).toBe(true);
    expect(touches.map(([, s]) => s)).toEqual([300, 600, 900, 1200, 1500, 1800]);
  });

  it('ends after the idle timeout without activity, and at the absolute limit', async () => {
    const { cache } = setup();
    expect(await cache.alive('s1', at(10))).toBe(true);
    expect(await cache.alive('s1', at(10 + 901))).toBe(false);
    const late = setup({ lastSeenAt: at(43_100) });
    expect(await late.cache.alive('s1', at(43_200))).toBe(false);
  });

  it('keeps the newer last-seen when the database lags behind', async () => {
    const { cache } = setup();
    // Seen at 50 s (not yet written: touchEvery is 60 s); a recheck at 56 s reads lastSeen 0 from the database.
    expect(await cache.alive('s1', at(50))).toBe(true);
    expect(await cache.alive('s1', at(56))).toBe(true);
    expect(await cache.alive('s1', at(56 + 899))).toBe(true);
  });

  it('evicts the oldest entry beyond its size', async () => {
    const { cache, db } = setup();
    db.set('s2', { ...db.get('s1')! });
    db.set('s3', { ...db.get('s1')! });
    await cache.alive('s1', at(1));
    await cache.alive('s2', at(1));
    await cache.alive('s3', at(1));
    expect(cache.size).toBe(2);
  });
});
