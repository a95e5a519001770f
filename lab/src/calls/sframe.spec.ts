import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  aeadDecrypt,
  aeadEncrypt,
  decodeHeader,
  deriveKeySalt,
  encodeHeader,
  SFRAME_SUITES,
  sframeDecrypt,
  sframeEncrypt,
  sframeLabel,
  sframeNonce,
} from './sframe.js';

// RFC 9605 Appendix C, as the SFrame working group publishes it in JSON (lab/test/fixtures/sframe/README.md).
// 64-bit KIDs and counters exceed JSON numbers' exact range: they are quoted before parsing.
const text = readFileSync(new URL('../../test/fixtures/sframe/test-vectors.json', import.meta.url), 'utf8');
const tv = JSON.parse(text.replace(/"(kid|ctr)": (\d+)/g, '"$1": "$2"')) as {
  header: { kid: string; ctr: string; encoded: string }[];
  aes_ctr_hmac: (Record<'key' | 'enc_key' | 'auth_key' | 'nonce' | 'aad' | 'pt' | 'ct', string> & {
    cipher_suite: number;
  })[];
  sframe: (Record<
    | 'base_key'
    | 'sframe_key_label'
    | 'sframe_salt_label'
    | 'sframe_secret'
    | 'sframe_key'
    | 'sframe_salt'
    | 'metadata'
    | 'nonce'
    | 'aad'
    | 'pt'
    | 'ct',
    string
  > & { cipher_suite: number; kid: string; ctr: string })[];
};
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('SFrame header (RFC 9605 §4.3, Appendix C.1)', () => {
  it('encodes and decodes every published (KID, CTR) pair', () => {
    expect(tv.header.length).toBe(289);
    for (const v of tv.header) {
      const kid = BigInt(v.kid);
      const ctr = BigInt(v.ctr);
      expect(toHex(encodeHeader(kid, ctr)), `${v.kid}/${v.ctr}`).toBe(v.encoded);
      expect(decodeHeader(hex(v.encoded))).toEqual({ kid, ctr, length: v.encoded.length / 2 });
    }
  });

  it('refuses a truncated header and out-of-range values', () => {
    expect(() => decodeHeader(hex('9901'))).toThrow(/truncated/);
    expect(() => decodeHeader(new Uint8Array())).toThrow(/empty/);
    expect(() => encodeHeader(1n << 64n, 0n)).toThrow(/64-bit/);
    expect(() => encodeHeader(0n, -1n)).toThrow(/64-bit/);
  });
});

describe('AES-CTR with HMAC (RFC 9605 §4.5.1, Appendix C.2)', () => {
  it('matches every published vector both ways', async () => {
    expect(tv.aes_ctr_hmac.map((v) => v.cipher_suite)).toEqual([1, 2, 3]);
    for (const v of tv.aes_ctr_hmac) {
      const s = SFRAME_SUITES[v.cipher_suite]!;
      const ct = await aeadEncrypt(s, hex(v.key), hex(v.nonce), hex(v.aad), hex(v.pt));
      expect(toHex(ct)).toBe(v.ct);
      expect(toHex(await aeadDecrypt(s, hex(v.key), hex(v.nonce), hex(v.aad), hex(v.ct)))).toBe(v.pt);
      const bad = hex(v.ct);
      bad[bad.length - 1]! ^= 1;
      await expect(aeadDecrypt(s, hex(v.key), hex(v.nonce), hex(v.aad), bad)).rejects.toThrow(
        /authentication/,
      );
    }
  });
});

describe('SFrame encryption (RFC 9605 §4.4, Appendix C.3)', () => {
  it('derives the labels, secret, key, salt and nonce, and encrypts and decrypts, for suites 1–5', async () => {
    expect(tv.sframe.map((v) => v.cipher_suite)).toEqual([1, 2, 3, 4, 5]);
    for (const v of tv.sframe) {
      const s = SFRAME_SUITES[v.cipher_suite]!;
      const kid = BigInt(v.kid);
      const ctr = BigInt(v.ctr);
      expect(toHex(sframeLabel('key', kid, s))).toBe(v.sframe_key_label);
      expect(toHex(sframeLabel('salt', kid, s))).toBe(v.sframe_salt_label);
      const k = await deriveKeySalt(s, kid, hex(v.base_key));
      expect(toHex(k.secret), `suite ${s.id}`).toBe(v.sframe_secret);
      expect(toHex(k.key)).toBe(v.sframe_key);
      expect(toHex(k.salt)).toBe(v.sframe_salt);
      expect(toHex(sframeNonce(k.salt, ctr))).toBe(v.nonce);
      const ct = await sframeEncrypt(k, ctr, hex(v.pt), hex(v.metadata));
      expect(toHex(ct)).toBe(v.ct);
      const out = await sframeDecrypt((id) => (id === kid ? k : undefined), hex(v.ct), hex(v.metadata));
      expect(toHex(out.plaintext)).toBe(v.pt);
      expect(out.ctr).toBe(ctr);
    }
  });

  it('fails on an unknown KID, other metadata and a changed header', async () => {
    const v = tv.sframe.find((x) => x.cipher_suite === 4)!;
    const k = await deriveKeySalt(SFRAME_SUITES[4]!, BigInt(v.kid), hex(v.base_key));
    const keyFor = (id: bigint) => (id === k.kid ? k : undefined);
    await expect(sframeDecrypt(() => undefined, hex(v.ct), hex(v.metadata))).rejects.toThrow(/no key/);
    await expect(sframeDecrypt(keyFor, hex(v.ct))).rejects.toThrow(/authentication/);
    const changed = hex(v.ct);
    changed[4]! ^= 1; // the last CTR byte: another nonce, and the header is AAD
    await expect(sframeDecrypt(keyFor, changed, hex(v.metadata))).rejects.toThrow(/authentication/);
  });
});
