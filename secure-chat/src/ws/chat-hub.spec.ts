import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ChatHub,
  MAX_SOCKETS_PER_DEVICE,
  RING_PUSH_INTERVAL_MS,
  WAKE_ALL_EVERY_MS,
  WAKE_ALL_SLICE,
  type ChatSession,
} from './chat-hub.js';
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
    hub.signal(['elsewhere'], ring, true);
    await vi.waitFor(() => expect(pushed).toEqual([['nowhere'], ['elsewhere']]));
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

  it('asks about a device only when a push could go: not while it was pushed lately; always if held elsewhere', async () => {
    vi.useFakeTimers({ now: 2_000_000 });
    const pushed: string[][] = [];
    const hub = new ChatHub({ notify: (ids) => Promise.resolve(void pushed.push([...ids])) });
    const asks: [readonly string[], boolean][] = [];
    hub.relay = (ids, ask) => {
      asks.push([ids, ask]);
      return Promise.resolve(ids.filter((d) => d !== 'busy'));
    };
    hub.queued(['off']);
    await vi.waitFor(() => expect(pushed).toEqual([['off']]));
    // The offline device was just pushed: its next wakes ask nothing (the push could not go again yet).
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(1_000);
      hub.queued(['off']);
    }
    expect(asks.map(([, ask]) => ask)).toEqual([true, false, false, false]);
    // A device held elsewhere is asked about on every wake: it may have left that node since the last answer.
    hub.queued(['busy']);
    hub.queued(['busy']);
    expect(asks.slice(-2)).toEqual([
      [['busy'], true],
      [['busy'], true],
    ]);
    await vi.runAllTimersAsync();
    expect(pushed).toEqual([['off']]);
  });
});

describe('ChatHub sockets per device', () => {
  it('keeps at most MAX_SOCKETS_PER_DEVICE a device: a newer one closes the oldest, which is woken no more', () => {
    const hub = new ChatHub(null);
    const closed: [string, number][] = [];
    const woken: string[] = [];
    const session = (name: string, deviceId = 'd1') =>
      ({
        deviceId,
        wake: () => void woken.push(name),
        offer: () => undefined,
        keyPackagesLow: () => undefined,
        send: () => undefined,
        close: (code: number) => void closed.push([name, code]),
      }) as ChatSession;
    hub.add(session('other', 'd2'));
    const removes = ['s1', 's2'].map((n) => hub.add(session(n)));
    expect(MAX_SOCKETS_PER_DEVICE).toBe(2);
    expect(closed).toEqual([]);
    hub.add(session('s3'));
    expect(closed).toEqual([['s1', 4409]]);
    expect(hub.connections).toBe(3);
    hub.queued(['d1']);
    expect(woken).toEqual(['s2', 's3']);
    removes[0]!(); // the replaced socket's close completes later: nothing else goes
    hub.add(session('s4'));
    expect(closed).toEqual([
      ['s1', 4409],
      ['s2', 4409],
    ]);
    expect(hub.connections).toBe(3);
  });
});

describe('ChatHub.wakeAllLocal (a node back from a NATS cut)', () => {
  afterEach(() => vi.useRealTimers());

  it('wakes every socket once, a slice at a time, never all in one turn', () => {
    vi.useFakeTimers();
    const hub = new ChatHub(null);
    const woken: string[] = [];
    const n = WAKE_ALL_SLICE * 2 + 10;
    for (let i = 0; i < n; i++)
      hub.add({ deviceId: `d${i}`, wake: () => void woken.push(`d${i}`) } as unknown as ChatSession);
    hub.wakeAllLocal();
    expect(woken).toHaveLength(WAKE_ALL_SLICE);
    vi.advanceTimersByTime(WAKE_ALL_EVERY_MS);
    expect(woken).toHaveLength(WAKE_ALL_SLICE * 2);
    vi.advanceTimersByTime(WAKE_ALL_EVERY_MS * 10);
    expect(new Set(woken).size).toBe(n);
    expect(woken).toHaveLength(n);
  });
});
