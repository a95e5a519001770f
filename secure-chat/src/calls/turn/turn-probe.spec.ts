import { describe, expect, it } from 'vitest';
import { encodeText } from './stun-attributes.js';
import {
  Attr,
  attribute,
  decodeStun,
  encodeStun,
  integrityValid,
  longTermKey,
  StunMethod,
  type StunAttribute,
  type StunClassName,
  type StunMessage,
} from './stun-message.js';
import type { StunClient } from './stun-udp.js';
import { probeTurn } from './turn-probe.js';

// A scripted server: each request is decoded and answered by the next handler (the wire format both ways).
type Handler = (
  req: StunMessage,
  raw: Buffer,
) => { cls: StunClassName; attributes: StunAttribute[]; key?: Buffer; method?: number };

const XOR_V4 = Buffer.from([0, 1, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43]);
const CREDS = { username: '1767225600:turn-probe', password: 'c2VjcmV0LWhtYWM=' };
const KEY = longTermKey(CREDS.username, 'pakawaaz.test', CREDS.password);
const error = (code: number, extra: StunAttribute[] = []): ReturnType<Handler> => ({
  cls: 'error',
  attributes: [
    { type: Attr.errorCode, value: Buffer.from([0, 0, Math.floor(code / 100), code % 100]) },
    ...extra,
  ],
});
const challenge = (nonce: string) =>
  error(401, [
    { type: Attr.realm, value: encodeText('pakawaaz.test') },
    { type: Attr.nonce, value: encodeText(nonce) },
  ]);
const bindingOk: Handler = () => ({
  cls: 'success',
  attributes: [{ type: Attr.xorMappedAddress, value: XOR_V4 }],
});
const allocated: Handler = (req, raw) => {
  expect(integrityValid(raw, req, KEY)).toBe(true);
  return { cls: 'success', attributes: [{ type: Attr.xorRelayedAddress, value: XOR_V4 }], key: KEY };
};

function scripted(handlers: Handler[]): StunClient & { seen: StunMessage[] } {
  const seen: StunMessage[] = [];
  return {
    seen,
    request: (encode) => {
      const raw = encode(Buffer.alloc(12, seen.length + 1));
      const req = decodeStun(raw);
      seen.push(req);
      const h = handlers.shift();
      if (!h) return Promise.reject(new Error('no answer within 3000 ms'));
      const r = h(req, raw);
      const out = encodeStun(
        {
          method: r.method ?? req.method,
          cls: r.cls,
          transactionId: req.transactionId,
          attributes: r.attributes,
        },
        r.key ? { integrityKey: r.key } : {},
      );
      return Promise.resolve({ raw: out, message: decodeStun(out), rttMs: 4 });
    },
    close: () => undefined,
  };
}

describe('TURN probe', () => {
  it('is up after Binding, the 401 challenge, an authenticated Allocate, and releases it', async () => {
    const client = scripted([
      bindingOk,
      () => challenge('n1'),
      allocated,
      () => ({ cls: 'success', attributes: [] }),
    ]);
    expect(await probeTurn(client, CREDS, 3_000)).toEqual({ health: 'up', rttMs: 4, error: null });
    expect(client.seen.map((m) => m.method)).toEqual([
      StunMethod.binding,
      StunMethod.allocate,
      StunMethod.allocate,
      StunMethod.refresh,
    ]);
    expect(attribute(client.seen[2]!, Attr.username)?.toString()).toBe(CREDS.username);
    expect(attribute(client.seen[2]!, Attr.nonce)?.toString()).toBe('n1');
    expect(attribute(client.seen[3]!, Attr.lifetime)).toEqual(Buffer.from([0, 0, 0, 0]));
  });

  it('retries once on a stale nonce (438) with the new nonce', async () => {
    const client = scripted([
      bindingOk,
      () => challenge('n1'),
      () => error(438, challenge('n2').attributes.slice(1)),
      allocated,
    ]);
    expect((await probeTurn(client, CREDS, 3_000)).health).toBe('up');
    expect(attribute(client.seen[3]!, Attr.nonce)?.toString()).toBe('n2');
  });

  it('is degraded when the credentials are refused, with the reason in plain words', async () => {
    const client = scripted([bindingOk, () => challenge('n1'), () => challenge('n2')]);
    const r = await probeTurn(client, CREDS, 3_000);
    expect(r).toMatchObject({ health: 'degraded', rttMs: 4 });
    expect(r.error).toMatch(/refused our credentials \(401\).*static-auth-secret/);
  });

  it('is degraded when a success response does not carry our MESSAGE-INTEGRITY, and releases it', async () => {
    const forged: Handler = () => ({
      cls: 'success',
      attributes: [{ type: Attr.xorRelayedAddress, value: XOR_V4 }],
    });
    const client = scripted([bindingOk, () => challenge('n1'), forged]);
    const r = await probeTurn(client, CREDS, 3_000);
    expect(r.health).toBe('degraded');
    expect(r.error).toMatch(/MESSAGE-INTEGRITY/);
    expect(client.seen.at(-1)!.method).toBe(StunMethod.refresh);
    expect(attribute(client.seen.at(-1)!, Attr.lifetime)).toEqual(Buffer.from([0, 0, 0, 0]));
  });

  it('is degraded when an Allocate success carries no relayed address, and releases it', async () => {
    const bare: Handler = () => ({ cls: 'success', attributes: [], key: KEY });
    const client = scripted([bindingOk, () => challenge('n1'), bare]);
    const r = await probeTurn(client, CREDS, 3_000);
    expect(r.health).toBe('degraded');
    expect(r.error).toMatch(/no relayed address/);
    expect(client.seen.map((m) => m.method).at(-1)).toBe(StunMethod.refresh);
  });

  it('takes a success of another method for no allocation', async () => {
    const binding: Handler = (req, raw) => ({ ...allocated(req, raw), method: StunMethod.binding });
    const r = await probeTurn(scripted([bindingOk, () => challenge('n1'), binding]), CREDS, 3_000);
    expect(r.health).toBe('degraded');
    expect(r.error).toMatch(/success of method 1/);
    const unauth: Handler = () => ({ cls: 'success', attributes: [], method: StunMethod.refresh });
    const first = await probeTurn(scripted([bindingOk, unauth]), CREDS, 3_000);
    expect(first.health).toBe('degraded');
    expect(first.error).toMatch(/success of method 4/);
  });

  it('says a malformed ERROR-CODE is one (not "no STUN answer"), and strips controls from reasons', async () => {
    const bad: Handler = () => ({
      cls: 'error',
      attributes: [{ type: Attr.errorCode, value: Buffer.from([0, 0, 6, 199]) }],
    });
    const r = await probeTurn(scripted([bad]), null, 3_000);
    expect(r.health).toBe('down');
    expect(r.error).toMatch(/malformed ERROR-CODE/);
    const noisy: Handler = () => ({
      cls: 'error',
      attributes: [
        {
          type: Attr.errorCode,
          value: Buffer.from([0, 0, 4, 0, ...encodeText('Bad\u001b\r\nRequest\u009b')]),
        },
      ],
    });
    const n = await probeTurn(scripted([noisy]), null, 3_000);
    expect(n.error).toBe('the Binding request was answered with error 400 BadRequest');
  });

  it('is down without a Binding answer, or with one that is not a success with XOR-MAPPED-ADDRESS', async () => {
    expect(await probeTurn(scripted([]), CREDS, 3_000)).toMatchObject({
      health: 'down',
      rttMs: null,
      error: 'no STUN answer: no answer within 3000 ms',
    });
    const refused = await probeTurn(scripted([() => error(400)]), null, 3_000);
    expect(refused.health).toBe('down');
    expect(refused.error).toMatch(/answered with error 400/);
    const bare = await probeTurn(scripted([() => ({ cls: 'success', attributes: [] })]), null, 3_000);
    expect(bare.health).toBe('down');
    expect(bare.error).toMatch(/no XOR-MAPPED-ADDRESS/);
    const short: Handler = () => ({
      cls: 'success',
      attributes: [{ type: Attr.xorMappedAddress, value: XOR_V4.subarray(0, 6) }],
    });
    const malformed = await probeTurn(scripted([short]), null, 3_000);
    expect(malformed.health).toBe('down');
    expect(malformed.error).toMatch(/XOR-MAPPED-ADDRESS is malformed: XOR IPv4 address is not 8 bytes/);
  });

  it('is up on a Binding answer alone when it has no credentials to allocate with', async () => {
    expect(await probeTurn(scripted([bindingOk]), null, 3_000)).toEqual({
      health: 'up',
      rttMs: 4,
      error: null,
    });
  });
});
