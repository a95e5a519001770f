import { attributeBytes, eapMessage } from '@pakawaaz/radius';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoResponder, type EchoResponder } from './echo-responder.js';
import { createNas, NasTimeoutError, type Nas } from './radius-nas.js';

const SECRET = 'echo-responder-secret-01';
let responder: EchoResponder;
let nas: Nas;
beforeAll(async () => {
  responder = await startEchoResponder({ host: '127.0.0.1', port: 0, secret: SECRET });
  const ports = { authPort: responder.port, acctPort: responder.port };
  nas = await createNas({ host: '127.0.0.1', ...ports, secret: SECRET, timeoutMs: 100, retries: 0 });
});
afterAll(async () => {
  await nas.close();
  await responder.close();
});

describe('baseline echo responder', () => {
  it('challenges (echoing the EAP-Message, with a State), then accepts the request carrying State', async () => {
    const eap = Buffer.from([2, 1, 0, 6, 1, 0x61]);
    const challenge = await nas.accessRequest([{ type: 'EAP-Message', value: eap }]);
    expect(challenge.packet.code).toBe('Access-Challenge');
    expect(eapMessage(challenge.packet)).toEqual(eap);
    const state = attributeBytes(challenge.packet, 'State');
    expect(state).toHaveLength(16);
    const accept = await nas.accessRequest([{ type: 'State', value: state! }]);
    expect(accept.packet.code).toBe('Access-Accept');
  });

  it('signs with its secret only: a NAS with another secret believes nothing', async () => {
    const other = await createNas({
      host: '127.0.0.1',
      authPort: responder.port,
      acctPort: responder.port,
      secret: 'x'.repeat(20),
      timeoutMs: 50,
      retries: 0,
    });
    await expect(other.accessRequest([{ type: 'User-Name', value: 'a' }])).rejects.toBeInstanceOf(
      NasTimeoutError,
    );
    expect(other.stats().badReplies).toBe(1);
    await other.close();
  });
});
