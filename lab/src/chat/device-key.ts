// The device key and certificate bytes, portable (Node and the browser): PEM/DER by hand, points by
// @noble/curves, SubjectPublicKeyInfo by @peculiar/asn1-x509 — no node:crypto.
import { p256 } from '@noble/curves/nist.js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { derFromPem, sameBytes } from './bytes.js';

/** The device key as ts-mls wants it for the P-256 suite: the raw scalar and the uncompressed SEC1 point. */
export type DeviceSigningKey = { signKey: Uint8Array; publicKey: Uint8Array };

const EC_PUBLIC_KEY = '1.2.840.10045.2.1';
/** DER of the P-256 curve OID (1.2.840.10045.3.1.7), the algorithm parameters of an id-ecPublicKey. */
const P256_OID = Uint8Array.of(0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07);
/** ECPrivateKey (RFC 5915) inside PKCS#8: `version 1`, then the 32-byte scalar as an OCTET STRING. */
const EC_PRIVATE_KEY_HEAD = [0x02, 0x01, 0x01, 0x04, 0x20];

/**
 * The handset keeps its device key as PKCS#8 PEM (simulators/handset `keyPem`): ts-mls signs with the raw
 * 32-byte scalar and names the leaf by the uncompressed point (RFC 9420 §5.1.1, SEC1 for ECDSA).
 */
export function deviceKeyFromPem(keyPem: string): DeviceSigningKey {
  const der = derFromPem(keyPem);
  const at = der.findIndex((_, i) => EC_PRIVATE_KEY_HEAD.every((b, j) => der[i + j] === b));
  if (at < 0 || !containsOid(der)) throw new Error('the device key must be ECDSA P-256');
  const signKey = der.slice(at + EC_PRIVATE_KEY_HEAD.length, at + EC_PRIVATE_KEY_HEAD.length + 32);
  if (signKey.length !== 32) throw new Error('the device key is not a P-256 scalar');
  return { signKey, publicKey: p256.getPublicKey(signKey, false) };
}

const containsOid = (der: Uint8Array) => der.some((_, i) => P256_OID.every((b, j) => der[i + j] === b));

/** The uncompressed P-256 point of a certificate's subject key (what its MLS leaf must carry). */
export function certificatePoint(certificateDer: Uint8Array): Uint8Array {
  const spki = AsnConvert.parse(certificateDer, Certificate).tbsCertificate.subjectPublicKeyInfo;
  const params = spki.algorithm.parameters ? new Uint8Array(spki.algorithm.parameters) : new Uint8Array();
  if (spki.algorithm.algorithm !== EC_PUBLIC_KEY || !sameBytes(params, P256_OID))
    throw new Error('the device key must be ECDSA P-256');
  // Compressed or uncompressed in the certificate: the leaf carries the uncompressed form.
  return p256.Point.fromBytes(new Uint8Array(spki.subjectPublicKey)).toBytes(false);
}

/** DER of the first certificate of a PEM (the device certificate of the enrolment reply). */
export const certificateDerFromPem = (pem: string): Uint8Array => derFromPem(pem);
