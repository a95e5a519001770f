import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ed25519VerifierKey,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  type NoteSigner,
} from './note.js';

/*
 * Known answers from Go's golang.org/x/mod/sumdb/note (BSD-3-Clause), sumdb/note/note_test.go at commit
 * 02c991387e35f9e4c0a9b7ce137717055f8d716d: the PeterNeumann and EnochRoot keys, the signed quotation, and
 * the manglings TestNewVerifier, TestNewSigner and TestOpen refuse.
 */
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

const peter = parseVerifierKey(PETER_VKEY);
const enoch = parseVerifierKey(ENOCH_VKEY);

describe('verifier keys (Go note.NewVerifier)', () => {
  it('parses the PeterNeumann key', () => {
    expect(peter).toMatchObject({ name: 'PeterNeumann', keyId: 0xc74f20a3 });
  });

  it('refuses every proper substring and every one-byte change of it', () => {
    const bad: string[] = [];
    for (let i = 0; i <= PETER_VKEY.length; i++)
      for (let j = i + 1; j <= PETER_VKEY.length; j++)
        if (i !== 0 || j !== PETER_VKEY.length) bad.push(PETER_VKEY.slice(i, j));
    for (let i = 0; i < PETER_VKEY.length; i++)
      bad.push(
        PETER_VKEY.slice(0, i) + String.fromCharCode(PETER_VKEY.charCodeAt(i) + 1) + PETER_VKEY.slice(i + 1),
      );
    bad.push('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==');
    bad.push('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW');
    for (const k of bad) expect(() => parseVerifierKey(k), k).toThrow();
  });

  it('names the failure: wrong length, unknown algorithm', () => {
    expect(() =>
      parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='),
    ).toThrow(expect.objectContaining({ code: 'note_verifier_key_invalid' }));
    expect(() =>
      parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'),
    ).toThrow(expect.objectContaining({ code: 'note_verifier_key_alg' }));
  });

  it('writes the verifier key of an Ed25519 public key as Go does', () => {
    const signer = parseSignerKey(PETER_SKEY);
    expect(ed25519VerifierKey('PeterNeumann', signer.publicKey)).toBe(PETER_VKEY);
  });
});

describe('signer keys (Go note.NewSigner)', () => {
  it('refuses every proper substring and every one-byte change of the PeterNeumann key', () => {
    for (let i = 0; i <= PETER_SKEY.length; i++)
      for (let j = i + 1; j <= PETER_SKEY.length; j++)
        if (i !== 0 || j !== PETER_SKEY.length)
          expect(() => parseSignerKey(PETER_SKEY.slice(i, j))).toThrow();
    for (let i = 0; i < PETER_SKEY.length; i++) {
      const k =
        PETER_SKEY.slice(0, i) + String.fromCharCode(PETER_SKEY.charCodeAt(i) + 1) + PETER_SKEY.slice(i + 1);
      expect(() => parseSignerKey(k), k).toThrow();
    }
  });
});

describe('signNote (Go note.Sign)', () => {
  it('signs the quotation into the upstream note, byte for byte', async () => {
    expect(await signNote(TEXT, [parseSignerKey(PETER_SKEY)])).toBe(`${TEXT}\n${PETER_SIG}`);
  });

  it('signs through a callback (an HSM) and refuses a malformed text or a failing signer', async () => {
    const inner = parseSignerKey(PETER_SKEY);
    const remote: NoteSigner = {
      name: inner.name,
      publicKey: inner.publicKey,
      sign: async (m) => inner.sign(m),
    };
    expect(await signNote(TEXT, [remote])).toBe(`${TEXT}\n${PETER_SIG}`);
    await expect(signNote('abc', [remote])).rejects.toMatchObject({ code: 'note_malformed' });
    const failing: NoteSigner = { ...remote, sign: () => Promise.reject(new Error('token removed')) };
    await expect(signNote(TEXT, [failing])).rejects.toMatchObject({ code: 'note_signer_failed' });
    await expect(signNote(TEXT, [{ ...remote, name: 'bad name' }])).rejects.toMatchObject({
      code: 'note_signer_key_invalid',
    });
  });
});

describe('openNote (Go note.Open)', () => {
  it('verifies one signature and keeps the unknown one as unverified', () => {
    const n = openNote(TEXT + '\n' + PETER_SIG + ENOCH_SIG, [peter]);
    expect(n).toMatchObject({ ok: true, text: TEXT });
    if (!n.ok) return;
    expect(n.verified).toEqual([
      { name: 'PeterNeumann', keyId: 0xc74f20a3, base64: PETER_SIG.slice(15, -1) },
    ]);
    expect(n.unverified.map((s) => [s.name, s.keyId])).toEqual([['EnochRoot', 0xaf0cfe78]]);
  });

  it('verifies both with both keys, and none with none', () => {
    const both = openNote(TEXT + '\n' + PETER_SIG + ENOCH_SIG, [peter, enoch]);
    expect(both.ok && both.verified.map((s) => s.name)).toEqual(['PeterNeumann', 'EnochRoot']);
    expect(openNote(TEXT + '\n' + PETER_SIG + ENOCH_SIG, [])).toMatchObject({
      ok: false,
      code: 'note_no_verified_signature',
    });
  });

  it('refuses an ambiguous verifier list only when the key is used', () => {
    expect(openNote(TEXT + '\n' + ENOCH_SIG, [enoch, peter, enoch])).toMatchObject({ ok: false });
    expect(openNote(TEXT + '\n' + PETER_SIG, [enoch, peter, enoch]).ok).toBe(true);
  });

  it('refuses 101 signatures and a corrupted signature by a known key', () => {
    expect(openNote(TEXT + '\n' + PETER_SIG.repeat(101), [peter])).toMatchObject({ code: 'note_malformed' });
    const corrupt = PETER_SIG.slice(0, 60) + 'ABCD' + PETER_SIG.slice(60);
    expect(openNote(TEXT + '\n' + corrupt, [peter])).toMatchObject({ code: 'note_signature_invalid' });
  });

  it('drops repeated signatures', () => {
    const n = openNote(TEXT + '\n' + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG, [peter]);
    expect(n.ok && [n.verified.length, n.unverified.length]).toEqual([1, 1]);
  });

  it('refuses the upstream malformed notes', () => {
    const bad = [
      TEXT,
      TEXT + '\n',
      TEXT + '\n' + PETER_SIG.slice(0, -1),
      '\x01' + TEXT + '\n' + PETER_SIG,
      Buffer.concat([Buffer.from([0xff]), Buffer.from(TEXT + '\n' + PETER_SIG)]),
      TEXT +
        '\n' +
        '— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=',
      TEXT + '\n' + PETER_SIG + 'Unexpected line.\n',
    ];
    for (const msg of bad)
      expect(openNote(msg, [peter])).toMatchObject({ ok: false, code: 'note_malformed' });
  });

  it('does not take a signature under another name or key ID for the known key', () => {
    const misnamed = PETER_SIG.replaceAll('PeterNeumann', 'CarmenSandiego');
    expect(openNote(TEXT + '\n' + misnamed, [peter])).toMatchObject({ code: 'note_no_verified_signature' });
    const wrongId = PETER_SIG.replaceAll('x08g', 'xxxx');
    expect(openNote(TEXT + '\n' + wrongId, [peter])).toMatchObject({ code: 'note_no_verified_signature' });
  });

  it('round-trips with a freshly generated key, and a changed text fails', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
    const { sign } = await import('node:crypto');
    const signer: NoteSigner = {
      name: 'log.example',
      publicKey: raw,
      sign: (m) => sign(null, m, privateKey),
    };
    const verifier = parseVerifierKey(ed25519VerifierKey('log.example', raw));
    const note = await signNote('hello\n', [signer]);
    expect(openNote(note, [verifier]).ok).toBe(true);
    expect(openNote(note.replace('hello', 'hellp'), [verifier])).toMatchObject({
      code: 'note_signature_invalid',
    });
  });
});
