import { describe, expect, it } from 'vitest';
import { mergeDeliveries } from './chat-session.js';
import type { ServerFrame } from './frames.js';

const env = (seq: number) => ({
  seq,
  groupId: 'g',
  senderDevice: null,
  kind: 'application',
  body: 'b',
  at: 'now',
});

describe('mergeDeliveries (one socket write per turn)', () => {
  it('merges deliver frames back to back, in order, and keeps every other frame where it was', () => {
    const frames: ServerFrame[] = [
      { type: 'deliver', envelopes: [env(1)] },
      { type: 'deliver', envelopes: [env(2), env(3)] },
      { type: 'result', id: 1, result: {} },
      { type: 'deliver', envelopes: [env(4)] },
      { type: 'acked', upTo: 3, removed: 3 },
    ];
    expect(mergeDeliveries(frames)).toEqual([
      { type: 'deliver', envelopes: [env(1), env(2), env(3)] },
      { type: 'result', id: 1, result: {} },
      { type: 'deliver', envelopes: [env(4)] },
      { type: 'acked', upTo: 3, removed: 3 },
    ]);
  });
});
