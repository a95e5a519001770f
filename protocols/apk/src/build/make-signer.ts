// @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { KeyObject, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { ApkBuildError } from './build-error.js';
import type { SigningKey } from './apk-signer.js';

export type SignerAlgorithm = 'ec-p256' | 'rsa-2048';

export type MakeSignerOptions = {
  algorithm: SignerAlgorithm;
  /** The subject (and issuer) distinguished name, RFC 4514, e.g. `CN=Pakawaaz demo, O=Pakawaaz`. */
  subject: string;
  /** Validity start; default now. */
  notBefore?: Date;
  /** Validity in days; default 30 years (Play asks signing certificates to outlive their apps). */
  days?: number;
};

const KEY_ALGORITHMS = {
  'ec-p256': { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
  'rsa-2048': {
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  },
} as const;

/**
 * A fresh key pair and a self-signed X.509 certificate for it (RFC 5280; apksig takes any certificate that
 * carries the signing key — Android never checks the chain), for tests, the lab and the demo.
 */
export async function makeSigner(options: MakeSignerOptions): Promise<SigningKey> {
  const algorithm = KEY_ALGORITHMS[options?.algorithm];
  if (!algorithm)
    throw new ApkBuildError('build_invalid_signer', `unknown signer algorithm ${options?.algorithm}`);
  const days = options.days ?? 30 * 365;
  if (!Number.isInteger(days) || days < 1 || days > 100 * 366)
    throw new ApkBuildError('build_invalid_signer', 'days must be an integer in 1…36600');
  let name: x509.Name | null = null;
  try {
    if (typeof options.subject === 'string' && options.subject.length <= 1024)
      name = new x509.Name(options.subject);
  } catch {
    name = null;
  }
  // The parser is lenient: text without a single attribute=value pair parses as an empty name.
  if (!name || name.toString() === '')
    throw new ApkBuildError('build_invalid_signer', `subject ${JSON.stringify(options.subject)} is not a DN`);
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const notBefore = options.notBefore ?? new Date();
  const serial = randomBytes(16);
  serial[0]! &= 0x7f; // RFC 5280 §4.1.2.2: a positive integer of at most 20 octets
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial.toString('hex'),
      name,
      notBefore,
      notAfter: new Date(notBefore.getTime() + days * 86_400_000),
      keys,
      signingAlgorithm: algorithm,
    },
    webcrypto,
  );
  return {
    privateKey: KeyObject.from(keys.privateKey),
    certificate: Buffer.from(cert.rawData),
  };
}
