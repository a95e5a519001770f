import { describe, expect, it } from 'vitest';
import { AuthEventQueue, UNKNOWN_BLOCKS_MAX, type QueuedEvent } from './auth-event-queue.js';

let n = 0;
const event = (over: Partial<QueuedEvent> = {}): QueuedEvent => ({
  at: n++,
  channel: 'radius',
  result: 'reject',
  reason: 'wrong_password',
  source: '10.0.0.1',
  count: 1,
  ...over,
});

describe('AuthEventQueue', () => {
  it('hands events out oldest first, in bounded batches', () => {
    const q = new AuthEventQueue(10);
    const all = [event(), event(), event()];
    for (const e of all) q.push(e);
    expect(q.take(2)).toEqual(all.slice(0, 2));
    expect(q.take(2)).toEqual(all.slice(2));
    expect(q.size).toBe(0);
  });

  it('counts what does not fit instead of growing', () => {
    const q = new AuthEventQueue(2);
    expect(q.push(event())).toBe(true);
    expect(q.push(event())).toBe(true);
    expect(q.push(event())).toBe(false);
    expect(q.size).toBe(2);
    expect(q.lost).toBe(1);
  });

  it('stores repeated drops once with their number, until the batch is taken', () => {
    const q = new AuthEventQueue(2);
    const drop = { result: 'drop' as const, reason: 'unknown_nas', source: '192.0.2.9' };
    for (let i = 0; i < 1000; i++) q.push(event(drop));
    q.push(event(drop));
    expect(q.size).toBe(1);
    const [first] = q.take(10);
    expect(first?.count).toBe(1001);
    q.push(event(drop));
    expect(q.take(10)[0]?.count).toBe(1);
    expect(q.lost).toBe(0);
  });

  it('never merges rejects: each is a sign-in someone may look for', () => {
    const q = new AuthEventQueue(10);
    q.push(event());
    q.push(event());
    expect(q.size).toBe(2);
  });

  it('counts spoofed drops from unknown addresses per reason and /24, not per address', () => {
    const q = new AuthEventQueue(1000);
    for (let i = 0; i < 1000; i++)
      q.push(event({ result: 'drop', reason: 'unknown_nas', source: `198.51.${i % 2}.${i % 250}` }));
    const rows = q.take(1000);
    expect(rows.map((r) => [r.source, r.count])).toEqual([
      ['198.51.0.0/24', 500],
      ['198.51.1.0/24', 500],
    ]);
  });

  it('keeps at most UNKNOWN_BLOCKS_MAX blocks apart, then one row per reason for the rest', () => {
    const q = new AuthEventQueue(20_000);
    for (let i = 0; i < 10_000; i++)
      q.push(event({ result: 'drop', reason: 'unknown_nas', source: `10.${i >> 8}.${i & 255}.1` }));
    expect(q.size).toBe(UNKNOWN_BLOCKS_MAX + 1);
    const rows = q.take(1000);
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(10_000);
    expect(rows.at(-1)).toMatchObject({ source: '*', count: 10_000 - UNKNOWN_BLOCKS_MAX });
    expect(q.lost).toBe(0);
  });

  it('keeps room for accepts and rejects however many drops arrive', () => {
    const q = new AuthEventQueue(10);
    for (let i = 0; i < 100; i++)
      q.push(
        event({ result: 'drop', reason: 'wrong_shared_secret', clientId: `nas-${i}`, source: `10.0.0.${i}` }),
      );
    expect(q.size).toBe(5);
    for (let i = 0; i < 5; i++) expect(q.push(event())).toBe(true);
    expect(q.push(event())).toBe(false);
    expect(q.lost).toBe(96);
  });
});
