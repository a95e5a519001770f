import { MAX_EVENT_BYTES } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import type { QueuedEnvelope } from '../chat-ports.js';
import { ChatQueued, HANDED_CHARS, WAKE_BATCH } from '../secure-chat.events.js';
import { withHanded } from './wake-events.js';

const envelope = (seq: number, body: string): QueuedEnvelope => ({
  seq,
  groupId: 'Z3JvdXAtb25lLWdyb3VwLWlkLXRoYXQtaXMtbG9uZ2VyLXRoYW4tdXN1YWw',
  senderDevice: '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d',
  kind: 'application',
  body,
  at: '2026-12-07T10:00:00.000Z',
});
const device = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const node = '6f1c2a9e-0b7d-4c3e-9a51-2d8e4f7a1b03';

describe('withHanded (the envelopes a cross-node wake carries)', () => {
  it("carries each device's envelopes all or none, while they fit", () => {
    const big = 'A'.repeat(HANDED_CHARS - 200);
    const handed = new Map([
      [device(1), [envelope(1, 'AAEC'), envelope(2, 'AwQF')]],
      [device(2), [envelope(5, big), envelope(6, 'Bg')]], // with device 1's, more than fits: none of it
      [device(3), [envelope(9, 'CQ')]],
    ]);
    const data = withHanded({ node, deviceIds: [device(1), device(2), device(3), device(4)] }, handed);
    expect(data.deviceIds).toEqual([device(1), device(2), device(3), device(4)]);
    expect(data.handed?.map((h) => [h.deviceId, h.envelopes.map((e) => e.seq)])).toEqual([
      [device(1), [1, 2]],
      [device(3), [9]],
    ]);
    expect(withHanded({ node, deviceIds: [device(4)] }, handed)).toEqual({ node, deviceIds: [device(4)] });
  });

  it('keeps the fullest wake under the bus limit: WAKE_BATCH devices with many small envelopes', () => {
    const ids = Array.from({ length: WAKE_BATCH }, (_, i) => device(i));
    const handed = new Map(ids.map((id, i) => [id, [envelope(i + 1, 'AAECAwQF'), envelope(i + 2, '')]]));
    const event = ChatQueued.create(withHanded({ node, deviceIds: ids, ask: node }, handed));
    expect(event.data.handed!.length).toBeGreaterThan(100);
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(MAX_EVENT_BYTES);
  });
});
