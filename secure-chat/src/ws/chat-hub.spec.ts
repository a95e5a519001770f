import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatHub, RING_PUSH_INTERVAL_MS } from './chat-hub.js';
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
