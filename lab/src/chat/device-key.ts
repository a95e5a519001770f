import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';

/** The device key as ts-mls wants it for the P-256 suite: the raw scalar and the uncompressed SEC1 point. */
export type DeviceSigningKey = { signKey: Uint8Array; publicKey: Uint8Array };

function p256Point(key: KeyObject): Uint8Array {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new Error('the device key must be ECDSA P-256');
  const jwk = key.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  const y = Buffer.from(jwk.y ?? '', 'base64url');
  if (x.length !== 32 || y.length !== 32) throw new Error('the device key is not a P-256 point');
  return Uint8Array.from([0x04, ...x, ...y]);
}

/**
 * The handset keeps its device key as PKCS#8 PEM (simulators/handset `keyPem`): ts-mls signs with the raw
 * 32-byte scalar and names the leaf by the uncompressed point (RFC 9420 §5.1.1, SEC1 for ECDSA).
 */
export function deviceKeyFromPem(keyPem: string): DeviceSigningKey {
  const key = createPrivateKey(keyPem);
  const publicKey = p256Point(createPublicKey(key));
  const d = Buffer.from(key.export({ format: 'jwk' }).d ?? '', 'base64url');
  if (d.length !== 32) throw new Error('the device key is not a P-256 scalar');
  return { signKey: new Uint8Array(d), publicKey };
}

/** The uncompressed P-256 point of a certificate's subject key (what its MLS leaf must carry). */
export const certificatePoint = (cert: X509Certificate): Uint8Array => p256Point(cert.publicKey);

/** DER of the first certificate of a PEM (the device certificate of the enrolment reply). */
export const certificateDerFromPem = (pem: string): Uint8Array =>
  new Uint8Array(new X509Certificate(pem).raw);
