import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatHub, MAX_SOCKETS_PER_DEVICE, RING_PUSH_INTERVAL_MS, type ChatSession } from './chat-hub.js';
import type { CallSignalFrame } from './frames.js';
import { WAKE_ALL_IN_FLIGHT } from './wake-all.js';

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
  afterEach(() => vi.useRealTimers());

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
        read: () => Promise.resolve(void woken.push(name)),
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
  /** A hub of n sockets whose queue reads end when the test says (`end(i)`), recording what is read and when. */
  function node(n: number) {
    const hub = new ChatHub(null);
    const reads: number[] = [];
    const ends = new Map<number, () => void>();
    let running = 0;
    let most = 0;
    const socket = (i: number) =>
      ({
        deviceId: `d${i}`,
        read: () => {
          reads.push(i);
          most = Math.max(most, ++running);
          return new Promise<void>((r) => ends.set(i, () => (running--, ends.delete(i), r())));
        },
      }) as unknown as ChatSession;
    const removes = Array.from({ length: n }, (_, i) => hub.add(socket(i)));
    const end = async (...which: number[]) => {
      for (const i of which) ends.get(i)!();
      await new Promise((r) => setImmediate(r));
    };
    const endAll = async () => {
      while (ends.size > 0) await end(...ends.keys());
    };
    return { hub, reads, ends, removes, socket, end, endAll, most: () => most };
  }

  it('reads every socket once, never more than WAKE_ALL_IN_FLIGHT at a time, the next as one ends', async () => {
    const n = WAKE_ALL_IN_FLIGHT * 3 + 7;
    const h = node(n);
    h.hub.wakeAllLocal();
    expect(h.reads).toHaveLength(WAKE_ALL_IN_FLIGHT);
    await h.end(0, 1, 2);
    expect(h.reads).toHaveLength(WAKE_ALL_IN_FLIGHT + 3); // one started for each that ended, no more
    await h.endAll();
    expect(h.most()).toBe(WAKE_ALL_IN_FLIGHT);
    expect([...h.reads].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('reads the others past a read that never ends, with the slots left', async () => {
    const n = WAKE_ALL_IN_FLIGHT * 2;
    const h = node(n);
    h.hub.wakeAllLocal();
    while (h.ends.size > 1) await h.end(...[...h.ends.keys()].filter((i) => i !== 0)); // socket 0 hangs
    expect([...h.reads].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect([...h.ends.keys()]).toEqual([0]);
  });

  it('goes on past reads that throw or reject, each logged — thousands of them, with no deeper stack', async () => {
    const n = 10_000;
    const warned: string[] = [];
    const logger = { warn: (_o: unknown, msg: string) => void warned.push(msg) };
    const hub = new ChatHub(null, logger as unknown as ConstructorParameters<typeof ChatHub>[1]);
    const read: number[] = [];
    const bad = (i: number) =>
      ({
        deviceId: `d${i}`,
        read: () => {
          read.push(i);
          if (i < n - 100) throw new Error('boom'); // thrown at once, one after another
          return Promise.reject(new Error('pool timeout'));
        },
      }) as unknown as ChatSession;
    for (let i = 0; i < n; i++) hub.add(bad(i));
    hub.wakeAllLocal();
    await vi.waitFor(() => expect(read).toHaveLength(n));
    await vi.waitFor(() => expect(warned).toHaveLength(n));
  });

  it('skips a socket that closed before its turn; one that closes during its read frees its slot', async () => {
    const h = node(WAKE_ALL_IN_FLIGHT + 10);
    h.hub.wakeAllLocal();
    for (let i = WAKE_ALL_IN_FLIGHT; i < WAKE_ALL_IN_FLIGHT + 5; i++) h.removes[i]!(); // not read yet: closed
    h.removes[3]!(); // closed mid-read: its read ends (as a closed socket's pump does)
    await h.end(3);
    expect(h.reads.slice(WAKE_ALL_IN_FLIGHT)).toEqual([WAKE_ALL_IN_FLIGHT + 5]);
    await h.endAll();
    expect(h.reads.filter((i) => i >= WAKE_ALL_IN_FLIGHT && i < WAKE_ALL_IN_FLIGHT + 5)).toEqual([]);
    expect(h.reads).toHaveLength(WAKE_ALL_IN_FLIGHT + 5);
  });

  it('a second wake-all during a run joins it: still at most the bound, nothing left out, the read ones read again', async () => {
    const n = WAKE_ALL_IN_FLIGHT * 2;
    const h = node(n);
    h.hub.wakeAllLocal();
    await h.end(0, 1); // sockets 0 and 1 read, 2 .. 65 under way, the rest waiting
    const before = h.reads.length;
    expect(before).toBe(WAKE_ALL_IN_FLIGHT + 2);
    h.hub.add(h.socket(n)); // opened meanwhile (it reads on its own too)
    h.hub.wakeAllLocal(); // a second cut ended: what was read before it must be read again
    expect(h.reads).toHaveLength(before); // no second run beside the first
    await h.endAll();
    expect(h.most()).toBe(WAKE_ALL_IN_FLIGHT);
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
    // Those still waiting keep their place (read once, after the second cut); then those read or under way, again.
    expect(h.reads.slice(before)).toEqual([...range(before, n), ...range(0, before), n]);
  });
});
