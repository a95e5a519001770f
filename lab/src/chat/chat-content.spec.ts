import { describe, expect, it } from 'vitest';
import { getCiphersuiteFromName, getCiphersuiteImpl } from 'ts-mls';
import { CHAT_CIPHERSUITE } from '@pakawaaz/mls';
import { nodeP256Signature } from './node-signature.js';
import { chatAuthenticationService, identityOf } from './chat-auth.js';
import { decodeContent, encodeContent, MAX_CONTENT_BYTES } from './chat-content.js';
import { testDeviceCa } from './chat-fixtures.js';
import { ChatHistory } from './chat-history.js';
import { parseServerFrame } from './chat-wire.js';
import { deviceKeyFromPem } from './device-key.js';
import { mlsFromWire } from './mls-glue.js';

const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe('chat content: the typed JSON inside application messages', () => {
  it('round-trips each type and refuses malformed or oversized content with a stable code', () => {
    const c = decodeContent(
      encodeContent({ type: 'receipt', status: 'read', ids: ['abcdefgh'] }, 'id-0000001', 5),
    );
    expect(c).toEqual({ type: 'receipt', status: 'read', ids: ['abcdefgh'], id: 'id-0000001', sentAt: 5 });
    const base = { id: 'id-0000001', sentAt: 1 };
    for (const bad of [
      { ...base, type: 'text' },
      { ...base, type: 'text', text: 1 },
      { ...base, type: 'receipt', status: 'seen', ids: ['abcdefgh'] },
      { ...base, type: 'receipt', status: 'read', ids: [] },
      { ...base, type: 'file', file: { url: 'javascript:x', key: 'AA', hash: 'AA', name: 'a', size: 1 } },
      {
        ...base,
        type: 'file',
        file: { url: 'https://x/y', key: 'AAAA', hash: 'A'.repeat(43), name: 'a', size: 1 },
      },
      { ...base, type: 'poll' },
      { type: 'typing', active: true, id: 'short', sentAt: 1 },
      [],
    ])
      expect(() => decodeContent(bytes(bad))).toThrow(
        expect.objectContaining({ code: 'chat_content_malformed' }),
      );
    expect(() => decodeContent(Uint8Array.of(0xff, 0xfe))).toThrow(
      expect.objectContaining({ code: 'chat_content_malformed' }),
    );
    expect(() => decodeContent(new Uint8Array(MAX_CONTENT_BYTES + 1))).toThrow(
      expect.objectContaining({ code: 'chat_content_too_large' }),
    );
  });
});

describe('local history', () => {
  it('finds messages by every word (last as prefix), newest first, once per id; keeps receipts through JSON', () => {
    const h = new ChatHistory();
    const add = (id: string, text: string, sentAt: number, groupId = 'g') =>
      h.add({ groupId, id, fromDevice: 'd', fromUser: 'u', sentAt, text, own: true });
    add('m1', 'Budget review at 3pm', 1);
    add('m2', 'The budget is approved', 2);
    add('m3', 'Budget meeting moved', 3, 'other');
    expect(add('m1', 'duplicate', 9)).toBe(false);
    expect(h.search('budget').map((e) => e.id)).toEqual(['m3', 'm2', 'm1']);
    expect(h.search('budget rev').map((e) => e.id)).toEqual(['m1']);
    expect(h.search('BUDGET', { groupId: 'g' }).map((e) => e.id)).toEqual(['m2', 'm1']);
    expect(h.search('  ')).toEqual([]);
    h.receipt('g', ['m1'], 'read', 'bob-phone');
    const again = ChatHistory.fromJSON(
      JSON.parse(JSON.stringify(h.toJSON())) as ReturnType<ChatHistory['toJSON']>,
    );
    expect(again.get('g', 'm1')).toMatchObject({ delivered: ['bob-phone'], read: ['bob-phone'] });
    expect(again.search('approved').map((e) => e.id)).toEqual(['m2']);
  });
});

describe('authentication service: a leaf is a live device certificate of the pinned CA, for its own key', () => {
  it('accepts the device, refuses a foreign CA, an expired certificate and another key', async () => {
    const ca = await testDeviceCa();
    const other = await testDeviceCa('CN=Other');
    const as = chatAuthenticationService({ deviceCaDers: [ca.caDer] });
    const d = await ca.device('dev-1', 'user-1');
    const cred = { credentialType: 'x509' as const, certificates: [d.certificateDer] };
    const key = deviceKeyFromPem(d.keyPem).publicKey;
    expect(identityOf(cred)).toMatchObject({ deviceId: 'dev-1', userId: 'user-1' });
    expect(await as.validateCredential(cred, key)).toBe(true);
    const f = await other.device('dev-2', 'user-2');
    expect(
      await as.validateCredential(
        { credentialType: 'x509', certificates: [f.certificateDer] },
        deviceKeyFromPem(f.keyPem).publicKey,
      ),
    ).toBe(false);
    expect(await as.validateCredential(cred, deviceKeyFromPem(f.keyPem).publicKey)).toBe(false);
    const old = await ca.device('dev-3', 'user-3', {
      notBefore: new Date(Date.now() - 9e7),
      notAfter: new Date(Date.now() - 864e5),
    });
    expect(
      await as.validateCredential(
        { credentialType: 'x509', certificates: [old.certificateDer] },
        deviceKeyFromPem(old.keyPem).publicKey,
      ),
    ).toBe(false);
    expect(await as.validateCredential({ credentialType: 'basic', identity: new Uint8Array(4) }, key)).toBe(
      false,
    );
  });
});

describe('wire input', () => {
  it('refuses oversized, trailing or non-MLS input, and malformed frames', () => {
    expect(() => mlsFromWire('A'.repeat(2000), 1000)).toThrow(
      expect.objectContaining({ code: 'mls_too_large' }),
    );
    expect(() => mlsFromWire('AAEAAQ', 1000)).toThrow(expect.objectContaining({ code: 'mls_malformed' }));
    expect(() => mlsFromWire('not base64!', 1000)).toThrow(
      expect.objectContaining({ code: 'mls_too_large' }),
    );
    const env = {
      seq: 3,
      groupId: 'g1',
      senderDevice: 'd1',
      kind: 'commit',
      body: 'AA',
      at: '2026-12-05T08:00:00Z',
    };
    expect(parseServerFrame(JSON.stringify({ type: 'deliver', envelopes: [env] }))).toEqual({
      type: 'deliver',
      items: [{ seq: 3, groupId: 'g1', senderDevice: 'd1', kind: 'commit', message: 'AA' }],
    });
    for (const bad of [
      { ...env, seq: -1 },
      { ...env, kind: 'spam' },
      { ...env, body: 1 },
      { ...env, groupId: undefined },
    ])
      expect(parseServerFrame(JSON.stringify({ type: 'deliver', envelopes: [env, bad] }))).toBeNull();
    expect(parseServerFrame('nope')).toBeNull();
    expect(parseServerFrame('{"type":"key_packages_low","left":2}')).toEqual({
      type: 'key_packages_low',
      left: 2,
    });
  });
});

describe('P-256 signatures on node:crypto', () => {
  it('interoperate both ways with ts-mls’s default (noble) implementation, compressed keys included', async () => {
    const noble = (await getCiphersuiteImpl(getCiphersuiteFromName(CHAT_CIPHERSUITE))).signature;
    const node = nodeP256Signature(noble);
    const msg = new TextEncoder().encode('FramedContentTBS');
    const k = await noble.keygen();
    const n = await node.sign(k.signKey, msg);
    expect(await noble.verify(k.publicKey, msg, n)).toBe(true);
    expect(await node.verify(k.publicKey, msg, await noble.sign(k.signKey, msg))).toBe(true);
    expect(await node.verify(k.publicKey, msg.subarray(1), n)).toBe(false);
    expect(await node.verify(Uint8Array.of(4, 1, 2), msg, n)).toBe(false);
  });
});
