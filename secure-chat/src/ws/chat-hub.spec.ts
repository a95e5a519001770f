import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatHub, HELD_FRESH_MS, RING_PUSH_INTERVAL_MS } from './chat-hub.js';
import type { CallSignalFrame } from './frames.js';

const ring = {
  type: 'call-ring',
  callId: 'c1',
  groupId: 'g1',
  kind: 'voice',
  by: null,
} as unknown as CallSignalFrame;

describe('ChatHub ring pushes', () => {
  afterEach(() => vi.useRealTimers());

  it('pushes a device not connected at most once per ring interval, however often it is rung', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const pushed: string[][] = [];
    const hub = new ChatHub({ notify: (ids) => Promise.resolve(void pushed.push([...ids])) });
    // An invite → cancel loop: 17 rings in ten seconds.
    for (let i = 0; i < 17; i++) {
      hub.signal(['d1', 'd2'], ring, true);
      vi.advanceTimersByTime(580);
    }
    expect(pushed).toEqual([['d1', 'd2']]);
    vi.advanceTimersByTime(RING_PUSH_INTERVAL_MS);
    hub.signal(['d1'], ring, true);
    expect(pushed).toEqual([['d1', 'd2'], ['d1']]);
    // A ring counts as the check-in push: a queued envelope right after does not push again.
    hub.queued(['d1']);
    expect(pushed).toHaveLength(2);
  });
});

describe('ChatHub in a cluster', () => {
  it('pushes only the devices the relay says no other node holds; all of them if the relay fails', async () => {
    const pushed: string[][] = [];
    const hub = new ChatHub({ notify: (ids) => Promise.resolve(void pushed.push([...ids])) });
    const asked: [readonly string[], boolean][] = [];
    hub.relay = (ids, ask) => {
      asked.push([ids, ask]);
      return Promise.resolve(ids.filter((d) => d !== 'elsewhere'));
    };
    hub.queued(['elsewhere', 'nowhere']);
    expect(pushed).toEqual([]); // not before the other nodes answered
    await vi.waitFor(() => expect(pushed).toEqual([['nowhere']]));
    expect(asked).toEqual([[['elsewhere', 'nowhere'], true]]);

    hub.relaySignal = () => Promise.reject(new Error('bus down'));
    hub.signal(['unknown'], ring, true); // (not 'elsewhere': said held a moment ago, it is not asked about)
    await vi.waitFor(() => expect(pushed).toEqual([['nowhere'], ['unknown']]));
  });

  it('does not ask when it has no push to send, nor for a signal that does not push', () => {
    const hub = new ChatHub(null);
    const asks: boolean[] = [];
    hub.relay = (_ids, ask) => {
      asks.push(ask);
      return Promise.resolve([]);
    };
    hub.relaySignal = (_ids, _frame, ask) => {
      asks.push(ask);
      return Promise.resolve([]);
    };
    hub.queued(['d1']);
    hub.signal(['d1'], ring, false);
    expect(asks).toEqual([false, false]);
  });

  it('asks about a device only when a push would go: not again while it was pushed or held elsewhere lately', async () => {
    vi.useFakeTimers({ now: 2_000_000 });
    const pushed: string[][] = [];
    const hub = new ChatHub({ notify: (ids) => Promise.resolve(void pushed.push([...ids])) });
    const asks: [readonly string[], boolean][] = [];
    hub.relay = (ids, ask) => {
      asks.push([ids, ask]);
      return Promise.resolve(ids.filter((d) => d !== 'busy'));
    };
    hub.queued(['busy', 'off']);
    await vi.waitFor(() => expect(pushed).toEqual([['off']]));
    // A message a second for both: the busy one is held elsewhere, the offline one was just pushed: no asks,
    // the wakes are still relayed.
    for (let i = 0; i < 4; i++) {
      vi.advanceTimersByTime(1_000);
      hub.queued(['busy', 'off']);
    }
    expect(asks.map(([, ask]) => ask)).toEqual([true, false, false, false, false]);
    // Past HELD_FRESH_MS the busy device is asked about again (it may have left that node).
    vi.advanceTimersByTime(HELD_FRESH_MS);
    hub.queued(['busy']);
    expect(asks.at(-1)).toEqual([['busy'], true]);
    await vi.waitFor(() => expect(pushed).toEqual([['off']]));
  });
});
