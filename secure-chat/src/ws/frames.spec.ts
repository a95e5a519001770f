import { describe, expect, it } from 'vitest';
import { MLS_LIMITS } from '../mls/mls-facts.js';
import { ClientFrame, hotFrame, parseClientFrame } from './frames.js';

const send = {
  type: 'send',
  id: 7,
  groupId: 'R3JvdXAtaWQtMDAx',
  message: 'AAEAAgMEBQY',
  clientId: 'msg-0001:a.b',
};
const ack = { type: 'ack', upTo: 41 };
const maxChars = Math.ceil((MLS_LIMITS.maxMessageBytes * 4) / 3);

// Each a change of one field (or key) of a valid frame: the ones the schema accepts and the ones it refuses.
const variants: unknown[] = [
  send,
  ack,
  { ...send, id: 'req-1' },
  { ...send, id: 'x'.repeat(64) },
  { ...send, id: 'x'.repeat(65) },
  { ...send, id: 1.5 },
  { ...send, id: -3 },
  { ...send, id: 2 ** 60 },
  { ...send, id: null },
  { ...send, id: true },
  { ...send, groupId: '' },
  { ...send, groupId: 'a'.repeat(344) },
  { ...send, groupId: 'a'.repeat(345) },
  { ...send, groupId: 'a+b' },
  { ...send, message: '' },
  { ...send, message: 'AAE=' },
  { ...send, message: 'AA/E' },
  { ...send, message: 'A'.repeat(maxChars) },
  { ...send, message: 'A'.repeat(maxChars + 1) },
  { ...send, message: 7 },
  { ...send, clientId: 'short' },
  { ...send, clientId: 'x'.repeat(128) },
  { ...send, clientId: 'x'.repeat(129) },
  { ...send, clientId: 'with space!' },
  { ...send, extra: 1 },
  { type: 'send', id: 7, groupId: send.groupId, message: send.message },
  { ...ack, upTo: -1 },
  { ...ack, upTo: 0 },
  { ...ack, upTo: Number.MAX_SAFE_INTEGER },
  { ...ack, upTo: Number.MAX_SAFE_INTEGER + 1 },
  { ...ack, upTo: 2.5 },
  { ...ack, upTo: '3' },
  { ...ack, id: 1 },
  { ...ack, reply: true },
  { ...ack, reply: false },
  { ...ack, reply: 'true' },
  { ...ack, reply: 1 },
  { ...ack, reply: null },
  { ...ack, reply: true, id: 1 },
  { ...ack, upTo: -1, reply: true },
  { ...ack, upTo: 2.5, reply: false },
  { type: 'ack', reply: true },
  { type: 'ack' },
  { type: 'commit', id: 1, groupId: 'g', commit: 'AA', groupInfo: 'AA', clientId: 'abcdefgh' },
  { type: 'nope' },
  [send],
  null,
  'send',
];

describe('hotFrame (send and ack without the schema)', () => {
  it('takes the valid send and ack frames', () => {
    expect(hotFrame(send)).toEqual(send);
    expect(hotFrame(ack)).toEqual(ack);
    expect(hotFrame({ ...ack, reply: true })).toEqual({ ...ack, reply: true });
    expect(hotFrame({ ...ack, reply: false })).toEqual({ ...ack, reply: false });
  });

  it('accepts only what the schema accepts, as the schema reads it', () => {
    for (const v of variants) {
      const hot = hotFrame(v);
      const schema = ClientFrame.safeParse(v);
      if (hot) expect(schema.data, JSON.stringify(v)).toEqual(hot);
      if (schema.success && (schema.data.type === 'send' || schema.data.type === 'ack'))
        expect(hot, JSON.stringify(v)).toEqual(schema.data);
    }
  });

  it('leaves refusals and their wording to the schema', () => {
    const bad = parseClientFrame(JSON.stringify({ ...send, message: 'AAE=' }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.id).toBe(7);
      expect(bad.message).toMatch(/^Invalid send frame: message: /);
    }
    const ackBad = parseClientFrame(JSON.stringify({ ...ack, upTo: -1 }));
    expect(!ackBad.ok && ackBad.message).toMatch(/^Invalid ack frame: upTo: /);
  });
});
