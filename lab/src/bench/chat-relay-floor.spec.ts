import { describe, expect, it } from 'vitest';
import { FloorRelay } from './chat-relay-floor.js';

const routes = [
  { groupId: 'g1', receiver: 'FP:B', senderDevice: 'dev-a' },
  { groupId: 'g2', receiver: 'FP:B', senderDevice: 'dev-c' },
];
const send = (id: string, groupId: string) =>
  JSON.stringify({ type: 'send', id, groupId, message: 'AAEC', clientId: id });

describe('the transport floor relay', () => {
  it('answers a send as the delivery service does and delivers it with the receiver’s next seq', () => {
    const relay = new FloorRelay(routes);
    const first = relay.frame(send('1', 'g1'));
    expect(JSON.parse(first.reply!)).toEqual({
      type: 'result',
      id: '1',
      result: { groupId: 'g1', epoch: '1', recipients: 1 },
    });
    expect(first.deliver!.to).toBe('FP:B');
    const second = relay.frame(send('2', 'g2'));
    const envelopes = [first, second].map(
      (r) => (JSON.parse(r.deliver!.frame) as { envelopes: unknown[] }).envelopes[0],
    );
    expect(envelopes).toMatchObject([
      { seq: 1, groupId: 'g1', senderDevice: 'dev-a', kind: 'application', body: 'AAEC' },
      { seq: 2, groupId: 'g2', senderDevice: 'dev-c', kind: 'application', body: 'AAEC' },
    ]);
  });

  it('writes nothing for an ack and an error for a group it does not route', () => {
    const relay = new FloorRelay(routes);
    expect(relay.frame(JSON.stringify({ type: 'ack', upTo: 3 }))).toEqual({});
    const refused = relay.frame(send('9', 'g9'));
    expect(refused.deliver).toBeUndefined();
    expect(JSON.parse(refused.reply!)).toMatchObject({ type: 'error', id: '9', code: 'not_relayed' });
  });
});
