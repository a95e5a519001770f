import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import {
  generateVector,
  nextSqn,
  PAKAWAAZ_IND,
  seqAfterResync,
  sqnFromSeqInd,
  verifyAuts,
} from '@pakawaaz/milenage';
import { computeResponseAuthenticator, decodeRadius, encodeReply, type RadiusPacket } from '@pakawaaz/radius';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEapAkaPeer } from '../sim-peer/eap-aka-peer.js';
import { createUsim, withAcceptedSqn } from '../sim-peer/usim.js';
import { startCoreResponder, type CoreResponder, type CoreVectors } from './core-responder.js';
import { createNas, NasTimeoutError, type Nas } from './radius-nas.js';

/*
 * The NAS over real UDP against a RADIUS server made of the protocol cores identity's server runs
 * (@pakawaaz/radius, @pakawaaz/eap-aka) with an in-memory vector source. Against identity's own server
 * (dispatch, duplicate cache, EAP over RADIUS, PostgreSQL) it runs in lab/test/e2e/sim-peer.e2e.spec.ts.
 */
const HOST = '127.0.0.1';
const SECRET = 'nas-unit-test-secret-01';
const h = (hex: string): Buffer => Buffer.from(hex, 'hex');
const K = h('465b5ce8b199b49faa5f0a2ee238a6bc');
const OPC = h('cd63cb71954a9f4e48a5994e37a02baf');
const IMSI = '001010000000001';

function vectors(): CoreVectors {
  let seq = 0;
  return {
    vector(imsi) {
      if (imsi !== IMSI) return null;
      seq = nextSqn(seq, PAKAWAAZ_IND).seq;
      const sqn = sqnFromSeqInd(seq, PAKAWAAZ_IND);
      return generateVector({ k: K, opc: OPC, amf: h('8000'), sqn, rand: randomBytes(16) });
    },
    resynchronise(imsi, rand, auts) {
      const verified = imsi === IMSI ? verifyAuts({ k: K, opc: OPC, rand, auts }) : null;
      if (verified) seq = seqAfterResync(verified.sqnMs, seq);
      return verified !== null;
    },
  };
}

let server: CoreResponder;
let nas: Nas;
beforeAll(async () => {
  server = await startCoreResponder({ host: HOST, secret: SECRET, vectors: vectors(), papUsers: ['alice'] });
  nas = await createNas({
    host: HOST,
    authPort: server.port,
    acctPort: server.port,
    secret: SECRET,
    timeoutMs: 300,
  });
});
afterAll(async () => {
  await nas?.close();
  await server?.close();
});

const peer = (method: 'aka' | 'aka-prime', k = K) =>
  createEapAkaPeer({ method, imsi: IMSI, usim: createUsim({ k, opc: OPC }) });

describe('lab NAS against a RADIUS server of the protocol cores', () => {
  it('gets a verified Access-Accept and Access-Reject', async () => {
    const accept = await nas.accessRequest([
      { type: 'User-Name', value: 'alice' },
      { type: 'User-Password', value: Buffer.from('pw') },
    ]);
    expect(accept).toMatchObject({ packet: { code: 'Access-Accept' }, tries: 1 });
    const reject = await nas.accessRequest([
      { type: 'User-Name', value: 'mallory' },
      { type: 'User-Password', value: Buffer.from('pw') },
    ]);
    expect(reject.packet.code).toBe('Access-Reject');
  });

  it("runs EAP-AKA and EAP-AKA' to Access-Accept; the MPPE keys are the peer's MSK halves", async () => {
    for (const method of ['aka', 'aka-prime'] as const) {
      const r = await nas.eapAka(peer(method), [{ type: 'NAS-Identifier', value: 'lab-ap-1' }]);
      expect(r).toMatchObject({ outcome: 'accept', rounds: 2, keysMatch: true });
      expect(r.peer.phase).toBe('success');
      expect(r.mppe?.recvKey).toEqual(r.peer.keys?.msk.subarray(0, 32));
    }
  });

  it('re-synchronises a USIM that is ahead in a third round trip', async () => {
    const usim = withAcceptedSqn(createUsim({ k: K, opc: OPC }), sqnFromSeqInd(9_000, PAKAWAAZ_IND));
    const r = await nas.eapAka(createEapAkaPeer({ method: 'aka', imsi: IMSI, usim }));
    expect(r).toMatchObject({ outcome: 'accept', rounds: 3, keysMatch: true });
  });

  it('a wrong K ends in Access-Reject carrying EAP-Failure, with no keys', async () => {
    const r = await nas.eapAka(peer('aka', Buffer.alloc(16, 3)));
    expect(r).toMatchObject({ outcome: 'reject', rounds: 2, mppe: null, keysMatch: false });
    expect(r.peer.phase).toBe('failure');
  });

  it('sends accounting and gets a verified Accounting-Response once the handler stored it', async () => {
    const r = await nas.accounting([
      { type: 'Acct-Status-Type', value: 1 },
      { type: 'Acct-Session-Id', value: 'lab-session-1' },
      { type: 'User-Name', value: 'alice' },
    ]);
    expect(r.packet.code).toBe('Accounting-Response');
    expect(server.accounting.at(-1)).toMatchObject({ statusType: 'start', sessionId: 'lab-session-1' });
  });

  it('retransmits the same bytes when the reply is late, and takes the reply to either copy', async () => {
    const before = server.stats();
    server.delayNext(450);
    const r = await nas.accessRequest([
      { type: 'User-Name', value: 'alice' },
      { type: 'User-Password', value: Buffer.from('pw') },
    ]);
    // Sent at 0 and 300 ms (and 600 ms on a slow machine): the server saw the same datagram again.
    expect(r.tries).toBeGreaterThanOrEqual(2);
    expect(server.stats().requests).toBe(before.requests + 1);
    expect(server.stats().duplicates).toBeGreaterThan(before.duplicates);
    expect(nas.stats().retransmissions).toBeGreaterThanOrEqual(1);
  });
});

describe('lab NAS against a bad or silent server', () => {
  let fake: Socket;
  const seen: Buffer[] = [];
  let answer: ((request: RadiusPacket) => Buffer | null) | undefined;
  beforeAll(async () => {
    fake = createSocket('udp4');
    fake.on('message', (datagram, remote) => {
      seen.push(datagram);
      const request = decodeRadius(datagram);
      const reply = request.kind === 'packet' && answer ? answer(request) : null;
      if (reply) fake.send(reply, remote.port, remote.address);
    });
    await new Promise<void>((r) => fake.bind(0, HOST, r));
  });
  afterAll(() => new Promise<void>((r) => fake.close(() => r())));

  const nasFor = () =>
    createNas({
      host: HOST,
      authPort: fake.address().port,
      acctPort: fake.address().port,
      secret: SECRET,
      timeoutMs: 60,
      retries: 2,
    });
  const pap = [
    { type: 'User-Name', value: 'alice' },
    { type: 'User-Password', value: Buffer.from('pw') },
  ] as const;

  it('gives up after 1 + retries identical datagrams', async () => {
    answer = undefined;
    seen.length = 0;
    const client = await nasFor();
    await expect(client.accessRequest(pap)).rejects.toBeInstanceOf(NasTimeoutError);
    expect(seen).toHaveLength(3);
    expect(seen[1]).toEqual(seen[0]);
    expect(client.stats()).toMatchObject({ timeouts: 1, retransmissions: 2 });
    await client.close();
  });

  it('drops replies signed with another secret, or without Message-Authenticator', async () => {
    const reply = (secret: string) => (request: RadiusPacket) =>
      encodeReply({
        code: 'Access-Accept',
        identifier: request.identifier,
        requestAuthenticator: request.authenticator,
        secret: Buffer.from(secret),
        attributes: [],
      });
    for (const forge of [
      reply('not-the-nas-secret'),
      (r: RadiusPacket) => stripMa(reply(SECRET)(r), r.authenticator),
    ]) {
      answer = forge;
      const client = await nasFor();
      await expect(client.accessRequest(pap)).rejects.toBeInstanceOf(NasTimeoutError);
      expect(client.stats().badReplies).toBe(3);
      await client.close();
    }
  });
});

/** The same Accept without its Message-Authenticator (first attribute), re-signed so only the MA is missing. */
function stripMa(bytes: Buffer, requestAuthenticator: Buffer): Buffer {
  const body = Buffer.concat([bytes.subarray(0, 20), bytes.subarray(38)]);
  body.writeUInt16BE(body.length, 2);
  computeResponseAuthenticator(body, requestAuthenticator, Buffer.from(SECRET)).copy(body, 4);
  return body;
}
