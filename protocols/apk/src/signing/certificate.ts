// @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { X509Certificate } from '@peculiar/x509';
import { ApkSignatureError } from './apk-signature-errors.js';

export type SignerCertificate = {
  der: Buffer;
  /** SHA-256 of the DER as found in the APK, lower-case hex (apksigner --print-certs). */
  sha256: string;
  /** The SubjectPublicKeyInfo exactly as encoded inside the certificate. */
  spki: Buffer;
};

/** One DER TLV: where its contents start and end. */
function tlv(buf: Buffer, pos: number, end: number): { tag: number; start: number; end: number } {
  if (pos + 2 > end) throw new RangeError('DER: truncated header');
  const tag = buf[pos]!;
  let length = buf[pos + 1]!;
  let start = pos + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4 || start + n > end) throw new RangeError('DER: bad length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[start + i]!;
    start += n;
  }
  if (start + length > end) throw new RangeError('DER: length past the end');
  return { tag, start, end: start + length };
}

/**
 * The SubjectPublicKeyInfo bytes of an X.509 certificate (RFC 5280 §4.1: Certificate → TBSCertificate →
 * [0] version?, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo). Taken as encoded, not
 * re-encoded: apksig compares them byte for byte with the signer's public key record.
 */
function spkiOf(der: Buffer): Buffer {
  const cert = tlv(der, 0, der.length);
  if (cert.tag !== 0x30 || cert.end !== der.length) throw new RangeError('not a DER SEQUENCE');
  const tbs = tlv(der, cert.start, cert.end);
  if (tbs.tag !== 0x30) throw new RangeError('no TBSCertificate');
  let pos = tbs.start;
  let field = tlv(der, pos, tbs.end);
  if (field.tag === 0xa0) {
    pos = field.end;
    field = tlv(der, pos, tbs.end);
  }
  // serialNumber, signature, issuer, validity, subject: skip five, the sixth is the key.
  for (let i = 0; i < 5; i++) {
    pos = field.end;
    field = tlv(der, pos, tbs.end);
  }
  if (field.tag !== 0x30) throw new RangeError('no SubjectPublicKeyInfo');
  return der.subarray(pos, field.end);
}

function der(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length =
    n < 0x80
      ? [n]
      : n < 0x100
        ? [0x81, n]
        : n < 0x10000
          ? [0x82, n >> 8, n & 0xff]
          : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), content]);
}

/**
 * Some old certificates encode an RSA modulus without its leading zero byte, which makes the DER INTEGER
 * negative. apksig (ApkSigningBlockUtils.encodePublicKey) then compares the signer's key record with the
 * certificate key re-encoded with the zero byte restored; this does the same. null when not such a key.
 */
export function spkiWithPositiveModulus(spki: Buffer): Buffer | null {
  try {
    const outer = tlv(spki, 0, spki.length);
    const algorithm = tlv(spki, outer.start, outer.end);
    const bits = tlv(spki, algorithm.end, outer.end);
    if (outer.tag !== 0x30 || bits.tag !== 0x03 || spki[bits.start] !== 0) return null;
    const key = tlv(spki, bits.start + 1, bits.end);
    const modulus = tlv(spki, key.start, key.end);
    if (key.tag !== 0x30 || modulus.tag !== 0x02 || !(spki[modulus.start]! & 0x80)) return null;
    const fixedModulus = der(
      0x02,
      Buffer.concat([Buffer.from([0]), spki.subarray(modulus.start, modulus.end)]),
    );
    const fixedKey = der(0x30, Buffer.concat([fixedModulus, spki.subarray(modulus.end, key.end)]));
    const fixedBits = der(0x03, Buffer.concat([Buffer.from([0]), fixedKey]));
    return der(0x30, Buffer.concat([spki.subarray(outer.start, algorithm.end), fixedBits]));
  } catch {
    return null;
  }
}

export function parseCertificate(der: Buffer): SignerCertificate {
  try {
    // A full parse, so that a certificate we would print or store is one X.509 tools read too.
    new X509Certificate(der);
    return { der, sha256: createHash('sha256').update(der).digest('hex'), spki: spkiOf(der) };
  } catch (err) {
    throw new ApkSignatureError('certificate_malformed', `certificate does not parse: ${String(err)}`);
  }
}

export function publicKey(spki: Buffer): KeyObject {
  try {
    return createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch (err) {
    throw new ApkSignatureError('public_key_malformed', `public key does not parse: ${String(err)}`);
  }
}
