import { X509Certificate } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import type { Credential } from 'ts-mls';
import { MLS_LIMITS, MlsInputError } from './errors.js';

/**
 * The certificates of an X.509 credential (RFC 9420 §5.3: `certificates[0]` is the end-entity certificate),
 * bounded in count and size. Chain and revocation are the caller's: the server asks device management.
 */
export function x509Certificates(credential: Credential, what: string): Uint8Array[] {
  if (credential.credentialType !== 'x509')
    throw new MlsInputError(
      'mls_unsupported',
      `the ${what}'s credential is ${credential.credentialType}, not x509 (a device certificate)`,
    );
  const certs = credential.certificates;
  if (certs.length === 0)
    throw new MlsInputError('mls_malformed', `the ${what}'s X.509 credential holds no certificate`);
  if (certs.length > MLS_LIMITS.maxCredentialCertificates)
    throw new MlsInputError(
      'mls_too_large',
      `the ${what}'s credential holds ${certs.length} certificates; at most ${MLS_LIMITS.maxCredentialCertificates}`,
    );
  for (const c of certs)
    if (c.length === 0 || c.length > MLS_LIMITS.maxCertificateBytes)
      throw new MlsInputError(
        'mls_too_large',
        `a certificate of the ${what} is ${c.length} bytes; at most ${MLS_LIMITS.maxCertificateBytes}`,
      );
  return certs;
}

/**
 * RFC 9420 §5.3.1: the end-entity certificate's public key is the leaf's signature key. Both must be the same
 * P-256 point (compressed or not: they are compared as points).
 */
export function checkSignatureKeyIsCertificateKey(
  endEntity: Uint8Array,
  signatureKey: Uint8Array,
  what: string,
): void {
  let certPoint: Uint8Array;
  try {
    certPoint = certificatePublicPoint(endEntity);
  } catch {
    throw new MlsInputError(
      'mls_malformed',
      `the ${what}'s certificate is not an X.509 certificate with a P-256 key`,
    );
  }
  let same = false;
  try {
    same = p256.Point.fromBytes(certPoint).equals(p256.Point.fromBytes(signatureKey));
  } catch {
    same = false;
  }
  if (!same)
    throw new MlsInputError(
      'mls_bad_signature',
      `the ${what}'s signature key is not its certificate's public key (RFC 9420 §5.3.1)`,
    );
}

/** The uncompressed P-256 point (0x04 ‖ x ‖ y) of a DER certificate's subject public key. */
export function certificatePublicPoint(der: Uint8Array): Uint8Array {
  const key = new X509Certificate(der).publicKey;
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new Error('not a P-256 key');
  const jwk = key.export({ format: 'jwk' });
  return Uint8Array.from([0x04, ...Buffer.from(jwk.x!, 'base64url'), ...Buffer.from(jwk.y!, 'base64url')]);
}
