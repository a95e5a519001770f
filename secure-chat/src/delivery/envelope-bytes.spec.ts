import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { QUEUE_KINDS } from './delivery.schema.js';
import { envelopeBytes, storedEnvelopeBytes } from './envelope-bytes.js';

describe("storedEnvelopeBytes (the queue read's count in SQL, from the stored row's lengths)", () => {
  it('is never less than the envelope delivered, and equal for an application message with a sender', () => {
    for (const size of [0, 1, 2, 3, 4, 100, 4097, 65_536, 262_144])
      for (const kind of QUEUE_KINDS)
        for (const senderDevice of [randomUUID(), null]) {
          const groupId = randomBytes(1 + (size % 40)).toString('base64url');
          const e = {
            seq: Number.MAX_SAFE_INTEGER,
            groupId,
            senderDevice,
            kind,
            body: randomBytes(size).toString('base64url'),
            at: new Date().toISOString(),
          };
          const stored = storedEnvelopeBytes(size, groupId.length);
          expect(stored).toBeGreaterThanOrEqual(envelopeBytes(e));
          if (kind === 'application' && senderDevice) expect(stored).toBe(envelopeBytes(e));
        }
  });
});
