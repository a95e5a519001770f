import { describe, expect, it, vi } from 'vitest';
import {
  attributeValues,
  decodeRadius,
  encodeRequest,
  type EncodeRequestInput,
  type RadiusPacket,
} from '@pakawaaz/radius';
import { createRadiusDedupe } from './radius-dedupe.js';
import { RadiusDispatcher, type DispatchDependencies, type RadiusDropEvent } from './radius-dispatch.js';
import type {
  AccessDecision,
  AccessRequestContext,
  AccountingContext,
  RadiusHandler,
} from './radius-handler.js';

const SECRET = Buffer.from('dispatch-secret');
const PASSWORD = 'correct horse';
const NAS = { address: '192.0.2.1', port: 40000 };
const CLIENT = { id: 'client-1', name: 'wlc-1', secret: SECRET };

type Deferred<T> = { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void };
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup(handler: Partial<RadiusHandler> = {}, overrides: Partial<DispatchDependencies> = {}) {
  const logs: unknown[] = [];
  const drops: RadiusDropEvent[] = [];
  const record = (obj: object, msg: string): void => void logs.push([obj, msg]);
  const full: RadiusHandler = {
    access: handler.access ?? (() => Promise.resolve({ decision: 'accept' })),
    accounting: handler.accounting ?? (() => Promise.resolve()),
  };
  const dispatcher = new RadiusDispatcher({
    clients: (address) => (address === NAS.address ? CLIENT : null),
    handler: full,
    dedupe: createRadiusDedupe(),
    now: () => 0,
    maxInFlight: 100,
    logger: { warn: record, error: record, debug: record },
    onDrop: (event) => void drops.push(event),
    ...overrides,
  });
  return { dispatcher, logs, drops };
}

let identifier = 0;
const access = (overrides: Partial<EncodeRequestInput> = {}): Buffer =>
  encodeRequest({
    code: 'Access-Request',
    identifier: identifier++ % 256,
    secret: SECRET,
    attributes: [
      { type: 'User-Name', value: 'alice' },
      { type: 'User-Password', value: Buffer.from(PASSWORD) },
      { type: 'Proxy-State', value: Buffer.from('ps-1') },
      { type: 'Proxy-State', value: Buffer.from('ps-2') },
    ],
    ...overrides,
  });
const accountingRequest = (): Buffer =>
  encodeRequest({
    code: 'Accounting-Request',
    identifier: identifier++ % 256,
    secret: SECRET,
    attributes: [{ type: 'Acct-Status-Type', value: 1 }],
  });

function decodedReply(bytes: Buffer | null): RadiusPacket {
  if (bytes === null) throw new Error('no reply');
  const packet = decodeRadius(bytes);
  if (packet.kind === 'drop') throw new Error(packet.reason);
  return packet;
}

describe('RadiusDispatcher', () => {
  it('answers each decision with its code, MA first, handler attributes, then the Proxy-States', async () => {
    const decisions: AccessDecision[] = [
      { decision: 'accept', attributes: [{ type: 'Session-Timeout', value: 60 }] },
      { decision: 'reject', attributes: [{ type: 'Reply-Message', value: 'no' }] },
      { decision: 'challenge', attributes: [{ type: 'State', value: Buffer.from('s') }] },
    ];
    const seen: AccessRequestContext[] = [];
    const { dispatcher } = setup({
      access: (req) => (seen.push(req), Promise.resolve(decisions[seen.length - 1]!)),
    });
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const reply = decodedReply(await dispatcher.handle('auth', access(), NAS));
      codes.push(reply.code);
      expect(reply.attributes.map((a) => a.type)).toEqual([80, [27, 18, 24][i], 33, 33]);
      expect(attributeValues(reply, 'Proxy-State').map(String)).toEqual(['ps-1', 'ps-2']);
    }
    expect(codes).toEqual(['Access-Accept', 'Access-Reject', 'Access-Challenge']);
    expect(seen[0]).toMatchObject({ client: { id: 'client-1', name: 'wlc-1' }, source: NAS });
    expect(seen[0]?.attributes).toMatchObject({ userName: 'alice', password: Buffer.from(PASSWORD) });
    expect(seen[0]?.client).not.toHaveProperty('secret');
    expect(dispatcher.stats()).toMatchObject({ received: 3, accepted: 1, rejected: 1, challenged: 1 });
  });

  it('drops unknown clients, clients with an empty secret, and requests on the wrong port', async () => {
    const { dispatcher, drops } = setup();
    expect(await dispatcher.handle('auth', access(), { address: '198.51.100.9', port: 1 })).toBeNull();
    expect(await dispatcher.handle('acct', access(), NAS)).toBeNull();
    expect(await dispatcher.handle('auth', accountingRequest(), NAS)).toBeNull();
    const empty = setup({}, { clients: () => ({ ...CLIENT, secret: Buffer.alloc(0) }) });
    expect(await empty.dispatcher.handle('auth', access(), NAS)).toBeNull();
    expect(drops.map((d) => [d.reason, d.clientId])).toEqual([
      ['unknown_client', null],
      ['wrong_port', 'client-1'],
      ['wrong_port', 'client-1'],
    ]);
    expect(empty.dispatcher.stats().dropped.unknown_client).toBe(1);
  });

  it('counts decode and verify failures by reason', async () => {
    const { dispatcher } = setup();
    await dispatcher.handle('auth', Buffer.alloc(5), NAS);
    await dispatcher.handle('auth', access({ messageAuthenticator: false }), NAS);
    await dispatcher.handle('auth', access({ secret: Buffer.from('wrong') }), NAS);
    const { dropped, received } = dispatcher.stats();
    expect(received).toBe(3);
    expect(dropped).toMatchObject({
      too_short: 1,
      missing_message_authenticator: 1,
      bad_message_authenticator: 1,
    });
  });

  it('answers Status-Server on both ports without calling the handler (RFC 5997)', async () => {
    const access_ = vi.fn(() => Promise.resolve<AccessDecision>({ decision: 'accept' }));
    const { dispatcher } = setup({ access: access_ });
    const status = (): Buffer =>
      encodeRequest({ code: 'Status-Server', identifier: 1, secret: SECRET, attributes: [] });
    expect(decodedReply(await dispatcher.handle('auth', status(), NAS)).code).toBe('Access-Accept');
    expect(decodedReply(await dispatcher.handle('acct', status(), NAS)).code).toBe('Accounting-Response');
    expect(access_).not.toHaveBeenCalled();
    expect(dispatcher.stats().statusServer).toBe(2);
  });

  it('ignores a retransmission in flight, then replays the same reply bytes', async () => {
    const pending = deferred<AccessDecision>();
    const handler = vi.fn(() => pending.promise);
    const { dispatcher } = setup({ access: handler });
    const request = access();
    const first = dispatcher.handle('auth', request, NAS);
    expect(await dispatcher.handle('auth', request, NAS)).toBeNull();
    pending.resolve({ decision: 'accept' });
    const reply = await first;
    expect(await dispatcher.handle('auth', request, NAS)).toEqual(reply);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(dispatcher.stats()).toMatchObject({ duplicates: 2, accepted: 1 });
  });

  it('sends the Accounting-Response only after the handler resolved, none if it rejects', async () => {
    const pending = deferred<undefined>();
    const seen: AccountingContext[] = [];
    const { dispatcher } = setup({ accounting: (req) => (seen.push(req), pending.promise) });
    let settled = false;
    const reply = dispatcher.handle('acct', accountingRequest(), NAS).then((r) => ((settled = true), r));
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false);
    pending.resolve(undefined);
    expect(decodedReply(await reply).code).toBe('Accounting-Response');
    expect(seen[0]?.attributes.statusType).toBe('start');
    const failing = setup({ accounting: () => Promise.reject(new Error('db down')) });
    expect(await failing.dispatcher.handle('acct', accountingRequest(), NAS)).toBeNull();
    expect(failing.dispatcher.stats()).toMatchObject({ accounting: 0, dropped: { handler_error: 1 } });
  });

  it('survives a throwing handler, logs no secret or password, and processes the retransmission', async () => {
    let calls = 0;
    const { dispatcher, logs } = setup({
      access: () => {
        calls++;
        if (calls === 1) throw new Error(`user alice with password ${PASSWORD}`);
        return Promise.resolve({ decision: 'reject' });
      },
    });
    const request = access();
    expect(await dispatcher.handle('auth', request, NAS)).toBeNull();
    expect(decodedReply(await dispatcher.handle('auth', request, NAS)).code).toBe('Access-Reject');
    const logged = JSON.stringify(logs);
    expect(logged).toContain('RADIUS handler failed');
    for (const secretValue of [PASSWORD, SECRET.toString(), 'alice'])
      expect(logged).not.toContain(secretValue);
  });

  it('drops beyond the in-flight cap', async () => {
    const pending = deferred<AccessDecision>();
    const { dispatcher } = setup({ access: () => pending.promise }, { maxInFlight: 1 });
    const first = dispatcher.handle('auth', access(), NAS);
    expect(await dispatcher.handle('auth', access(), NAS)).toBeNull();
    pending.resolve({ decision: 'accept' });
    expect(decodedReply(await first).code).toBe('Access-Accept');
    expect(dispatcher.stats().dropped.overloaded).toBe(1);
  });

  it('stays silent on a discard decision and on attributes that cannot be encoded', async () => {
    const decisions: AccessDecision[] = [
      { decision: 'discard' },
      { decision: 'accept', attributes: [{ type: 'State', value: Buffer.alloc(300) }] },
    ];
    const { dispatcher } = setup({ access: () => Promise.resolve(decisions.shift()!) });
    expect(await dispatcher.handle('auth', access(), NAS)).toBeNull();
    expect(await dispatcher.handle('auth', access(), NAS)).toBeNull();
    expect(dispatcher.stats()).toMatchObject({ discarded: 1, accepted: 0, dropped: { encode_error: 1 } });
  });

  it('is not disturbed by a throwing client lookup or drop callback', async () => {
    const { dispatcher } = setup(
      {},
      {
        clients: () => {
          throw new Error('lookup failed');
        },
      },
    );
    expect(await dispatcher.handle('auth', access(), NAS)).toBeNull();
    expect(dispatcher.stats().dropped.internal_error).toBe(1);
    const noisy = setup(
      {},
      {
        onDrop: () => {
          throw new Error('metrics down');
        },
      },
    );
    expect(await noisy.dispatcher.handle('auth', Buffer.alloc(3), NAS)).toBeNull();
    expect(noisy.dispatcher.stats().dropped.too_short).toBe(1);
  });
});
