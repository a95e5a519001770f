import { MLS_LIMITS } from '@pakawaaz/mls';
import { describe, expect, it } from 'vitest';
import type { QueuedEnvelope } from '../chat-ports.js';
import { DELIVER_FRAME_BYTES, envelopeBytes, frameEnd, mergeDeliveries } from './deliver-frames.js';
import type { ServerFrame } from './frames.js';

const env = (seq: number, bodyChars = 1): QueuedEnvelope => ({
  seq,
  groupId: 'g',
  senderDevice: null,
  kind: 'application',
  body: 'b'.repeat(bodyChars),
  at: 'now',
});
const bytes = (f: ServerFrame) => Buffer.byteLength(JSON.stringify(f));

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

  it('stops a merge at the byte budget and splits a frame over it, a lone larger envelope in its own', () => {
    const frames: ServerFrame[] = [
      { type: 'deliver', envelopes: [env(1, 300), env(2, 300)] },
      { type: 'deliver', envelopes: [env(3, 300)] },
      { type: 'deliver', envelopes: [env(4, 2000), env(5, 10)] },
    ];
    const out = mergeDeliveries(frames, 1000);
    expect(out.map((f) => (f.type === 'deliver' ? f.envelopes.map((e) => e.seq) : f.type))).toEqual([
      [1, 2],
      [3],
      [4],
      [5],
    ]);
    for (const f of out)
      if (f.type === 'deliver' && f.envelopes.length > 1) expect(bytes(f)).toBeLessThan(1000);
  });
});

describe('envelopeBytes (counted without JSON.stringify)', () => {
  it('is at least an envelope’s bytes in a frame, the longest seq and a UUID sender included', () => {
    const e: QueuedEnvelope = {
      seq: Number.MAX_SAFE_INTEGER,
      groupId: 'A'.repeat(86),
      senderDevice: '0b7c6a7e-8a43-4a5e-9d64-1b2c3d4e5f60',
      kind: 'application',
      body: 'x'.repeat(1000),
      at: new Date().toISOString(),
    };
    for (const envelopes of [[e], [e, e, e], [env(1)], [{ ...e, senderDevice: null }]]) {
      const frame: ServerFrame = { type: 'deliver', envelopes };
      const counted = 32 + envelopes.reduce((n, x) => n + envelopeBytes(x), 0);
      expect(counted).toBeGreaterThanOrEqual(bytes(frame));
      expect(frameEnd(envelopes, 0, bytes(frame))).toBe(envelopes.length === 1 ? 1 : envelopes.length - 1);
    }
  });

  it('the largest envelope, a Welcome at its MLS limit, makes a frame within the SDK’s 2 MiB', () => {
    const welcome: QueuedEnvelope = {
      seq: Number.MAX_SAFE_INTEGER,
      groupId: 'A'.repeat(86),
      senderDevice: '0b7c6a7e-8a43-4a5e-9d64-1b2c3d4e5f60',
      kind: 'welcome',
      body: 'x'.repeat(Math.ceil((MLS_LIMITS.maxWelcomeBytes * 4) / 3)),
      at: new Date().toISOString(),
    };
    const frame = mergeDeliveries([{ type: 'deliver', envelopes: [welcome, welcome] }]);
    expect(frame).toHaveLength(2);
    expect(bytes(frame[0]!)).toBeGreaterThan(DELIVER_FRAME_BYTES);
    expect(bytes(frame[0]!)).toBeLessThan(1_400_000);
    expect(bytes(frame[0]!)).toBeLessThan(2 * 1024 * 1024);
  });
});
