import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { generateVector, nextSqn, PAKAWAAZ_IND, sqnFromSeqInd } from '@pakawaaz/milenage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  receiveEapAka,
  startEapAka,
  supplyVector,
  type EapAkaServerConfig,
  type EapAkaServerState,
  type EapAkaStep,
} from '@pakawaaz/eap-aka';
import { createEapAkaPeer } from '../sim-peer/eap-aka-peer.js';
import { createUsim } from '../sim-peer/usim.js';
import { simFactor } from './http-sim-factor.js';

/*
 * The HTTPS SIM factor's wire shape (openapi.json SimStartRequest / SimContinueRequest / SimStep) served by
 * identity's pure EAP-AKA server behind node:http, as SimAuthService does, minus tickets and the database.
 */
const h = (hex: string): Buffer => Buffer.from(hex, 'hex');
const K = h('465b5ce8b199b49faa5f0a2ee238a6bc');
const OPC = h('cd63cb71954a9f4e48a5994e37a02baf');
const IMSI = '001010000000001';
const TICKET = 'ticket-0123456789-abcdef';

let seq = 0;
const conversations = new Map<string, EapAkaServerState>();
const starts: unknown[] = [];

function vectorStep(step: EapAkaStep): EapAkaStep {
  if (step.effect.kind !== 'need-vector') return step;
  if (step.effect.imsi !== IMSI) return supplyVector(step.state, null, randomBytes(64));
  seq = nextSqn(seq, PAKAWAAZ_IND).seq;
  const sqn = sqnFromSeqInd(seq, PAKAWAAZ_IND);
  return supplyVector(
    step.state,
    generateVector({ k: K, opc: OPC, amf: h('8000'), sqn, rand: randomBytes(16) }),
    randomBytes(64),
  );
}

function reply(id: string, step: EapAkaStep): { status: number; body: unknown } {
  const { effect } = step;
  if (effect.kind === 'send') {
    conversations.set(id, step.state);
    return {
      status: 200,
      body: { status: 'continue', conversation: id, eap: effect.packet.toString('base64') },
    };
  }
  if (effect.kind === 'success')
    return {
      status: 200,
      body: { status: 'authenticated', accessToken: 'at', eap: effect.packet.toString('base64') },
    };
  return {
    status: 401,
    body: { code: 'invalid_credentials', message: 'The SIM or device could not be verified.' },
  };
}

function route(path: string, body: Record<string, string>): { status: number; body: unknown } {
  if (path.endsWith('/start')) {
    starts.push(body);
    if (body.ticket !== TICKET) return { status: 401, body: { code: 'login_ticket_invalid' } };
    const identity = body.identity ? { identity: Buffer.from(body.identity) } : {};
    const config: EapAkaServerConfig =
      body.method === 'aka-prime' ? { method: 'aka-prime', networkName: 'WLAN' } : { method: 'aka' };
    return reply(
      randomBytes(12).toString('base64url'),
      vectorStep(startEapAka(config, { identifier: 1, ...identity })),
    );
  }
  const state = conversations.get(body.conversation ?? '');
  if (!state) return { status: 400, body: { code: 'sim_conversation_invalid' } };
  return reply(body.conversation!, vectorStep(receiveEapAka(state, Buffer.from(body.eap ?? '', 'base64'))));
}

let server: Server;
let baseUrl: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const out = route(req.url ?? '', JSON.parse(text) as Record<string, string>);
      res.writeHead(out.status, { 'content-type': 'application/json' }).end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const peer = (method: 'aka' | 'aka-prime', k = K) =>
  createEapAkaPeer({ method, imsi: IMSI, usim: createUsim({ k, opc: OPC }) });

describe('HTTPS SIM factor driver', () => {
  it('sends the identity in /start and finishes after one /continue, with the peer holding the MSK', async () => {
    const r = await simFactor({ baseUrl, ticket: TICKET, peer: peer('aka') });
    expect(r).toMatchObject({ kind: 'done', rounds: 2, step: { status: 'authenticated' } });
    expect(r.peer.phase).toBe('success');
    expect(starts.at(-1)).toEqual({
      ticket: TICKET,
      method: 'aka',
      identity: `0${IMSI}@wlan.mnc001.mcc001.3gppnetwork.org`,
    });
  });

  it("without the identity the server asks AKA-Identity first (EAP-AKA')", async () => {
    const r = await simFactor({ baseUrl, ticket: TICKET, peer: peer('aka-prime'), sendIdentity: false });
    expect(r).toMatchObject({ kind: 'done', rounds: 3 });
    expect(r.peer.transcript).toHaveLength(2);
  });

  it('returns the refusal as the server sent it: a wrong K, a bad ticket', async () => {
    const wrong = await simFactor({ baseUrl, ticket: TICKET, peer: peer('aka', Buffer.alloc(16, 5)) });
    expect(wrong).toMatchObject({ kind: 'refused', status: 401, body: { code: 'invalid_credentials' } });
    const ticket = await simFactor({ baseUrl, ticket: 'not-a-ticket-000000000', peer: peer('aka') });
    expect(ticket).toMatchObject({ kind: 'refused', status: 401, rounds: 1 });
  });
});
