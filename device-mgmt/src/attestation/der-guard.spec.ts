import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readAttestationChain } from './attestation.js';
import { guardDer } from './der-guard.js';
import { ATTESTATION_LIMITS, type AttestationInputCode } from './limits.js';

/** One DER TLV (definite length, short or long form). */
function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const len =
    n < 0x80
      ? [n]
      : n < 0x100
        ? [0x81, n]
        : n < 0x10000
          ? [0x82, n >> 8, n & 0xff]
          : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return new Uint8Array([tag, ...len, ...content]);
}
/** `depth` SEQUENCEs around a NULL, each with a 2-byte long-form length (built flat: no recursion). */
function nested(depth: number, inner = new Uint8Array([0x05, 0x00])): Uint8Array {
  const out = new Uint8Array(4 * depth + inner.length);
  for (let i = 0; i < depth; i++) {
    const len = out.length - 4 * (i + 1);
    out.set([0x30, 0x82, len >> 8, len & 0xff], 4 * i);
  }
  out.set(inner, 4 * depth);
  return out;
}

function codeOf(fn: () => unknown): AttestationInputCode | 'none' {
  try {
    fn();
    return 'none';
  } catch (err) {
    return (err as { code: AttestationInputCode }).code;
  }
}

const pem = (der: Uint8Array) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE-----\n`;
const realChain = readFileSync(
  new URL('../../test/fixtures/android-attestation/ec-tee.chain.pem', import.meta.url),
  'utf8',
);

describe('DER guard (before asn1js sees the bytes)', () => {
  it('accepts nesting up to the cap and refuses one level more', () => {
    expect(codeOf(() => guardDer(nested(ATTESTATION_LIMITS.maxDepth), 'x'))).toBe('none');
    expect(codeOf(() => guardDer(nested(ATTESTATION_LIMITS.maxDepth + 1), 'x'))).toBe('ASN1_TOO_DEEP');
  });

  it('counts DER hidden in an OCTET or BIT STRING towards the depth, but not random bytes', () => {
    const deep = nested(ATTESTATION_LIMITS.maxDepth - 2);
    expect(codeOf(() => guardDer(tlv(0x30, tlv(0x30, tlv(0x04, deep))), 'x'))).toBe('ASN1_TOO_DEEP');
    expect(codeOf(() => guardDer(tlv(0x30, tlv(0x03, new Uint8Array([0, ...nested(30)]))), 'x'))).toBe(
      'ASN1_TOO_DEEP',
    );
    // Malformed content (a TLV whose length runs past its end): opaque bytes, whatever it seemed to nest.
    const opaque = new Uint8Array([...nested(30), 0x30, 0x7f]);
    expect(codeOf(() => guardDer(tlv(0x30, tlv(0x04, opaque)), 'x'))).toBe('none');
  });

  it('refuses long OIDs, indefinite and overlong lengths, truncation, trailing bytes and too many values', () => {
    expect(codeOf(() => guardDer(tlv(0x30, tlv(0x06, new Uint8Array(33).fill(0x81))), 'x'))).toBe(
      'OID_TOO_LONG',
    );
    expect(codeOf(() => guardDer(tlv(0x30, tlv(0x06, new Uint8Array(32).fill(0x01))), 'x'))).toBe('none');
    expect(codeOf(() => guardDer(new Uint8Array([0x30, 0x80, 0x05, 0x00, 0x00, 0x00]), 'x'))).toBe(
      'ASN1_MALFORMED',
    );
    expect(codeOf(() => guardDer(new Uint8Array([0x30, 0x84, 0, 0, 0, 2, 5, 0]), 'x'))).toBe(
      'ASN1_MALFORMED',
    );
    expect(codeOf(() => guardDer(new Uint8Array([0x30, 0x05, 0x05, 0x00]), 'x'))).toBe('ASN1_MALFORMED');
    expect(codeOf(() => guardDer(new Uint8Array([0x30, 0x02, 0x05, 0x00, 0xff]), 'x'))).toBe(
      'ASN1_MALFORMED',
    );
    const many = tlv(
      0x30,
      new Uint8Array(Array.from({ length: ATTESTATION_LIMITS.maxNodes }, () => [0x05, 0x00]).flat()),
    );
    expect(codeOf(() => guardDer(many, 'x'))).toBe('ASN1_TOO_COMPLEX');
  });
});

describe('unreadable chains are refused with a code, quickly', () => {
  it.each([
    ['not PEM', 'hello', 'NOT_PEM'],
    ['bad base64', '-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----', 'NOT_PEM'],
    ['a PEM block that is not DER', pem(new Uint8Array([1, 2, 3, 4])), 'ASN1_MALFORMED'],
    ['DER that is not a certificate', pem(nested(3)), 'CERTIFICATE_MALFORMED'],
    [
      'too many certificates',
      pem(nested(2)).repeat(ATTESTATION_LIMITS.maxCertificates + 1),
      'TOO_MANY_CERTIFICATES',
    ],
    [
      'a huge certificate',
      pem(tlv(0x30, new Uint8Array(ATTESTATION_LIMITS.maxCertificateBytes))),
      'CERTIFICATE_TOO_LARGE',
    ],
    ['huge PEM text', 'x'.repeat(ATTESTATION_LIMITS.maxPemBytes + 1), 'CHAIN_TOO_LARGE'],
    ['a certificate 3,000 levels deep', pem(nested(3_000)), 'ASN1_TOO_DEEP'],
    [
      'a chain without the attestation extension',
      realChain.slice(realChain.indexOf('-----END') + 25),
      'NO_KEY_DESCRIPTION',
    ],
  ])('%s', (_name, input, code) => {
    const t = performance.now();
    expect(codeOf(() => readAttestationChain(input))).toBe(code);
    expect(performance.now() - t).toBeLessThan(ATTESTATION_LIMITS.timeBudgetMs);
  });
});
