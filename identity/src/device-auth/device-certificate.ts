// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { createHash, verify as verifySignature } from 'node:crypto';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  X509Certificate,
} from '@peculiar/x509';

/**
 * Device certificate checks (pure but for WebCrypto): the chain from the handset's certificate to one of the
 * device CA anchors, each link's signature and validity at `now`, CA constraints on issuers, and a
 * client-authentication leaf. Limits come first: at most 4 certificates of at most 8 KiB each.
 */
export const MAX_CHAIN_LENGTH = 4;
export const MAX_CERT_BYTES = 8192;

export type ChainProblem =
  | 'empty'
  | 'too_long'
  | 'too_large'
  | 'unparsable'
  | 'expired_or_not_yet_valid'
  | 'untrusted'
  | 'bad_signature'
  | 'issuer_not_ca'
  | 'leaf_is_ca'
  | 'not_for_client_auth';

export type VerifiedChain =
  | { ok: true; leaf: X509Certificate; thumbprint: string; serialHex: string }
  | { ok: false; problem: ChainProblem };

export const certThumbprint = (der: Uint8Array): string =>
  createHash('sha256').update(der).digest('base64url');

function parse(der: Uint8Array): X509Certificate | null {
  try {
    return new X509Certificate(der);
  } catch {
    return null;
  }
}

const validAt = (c: X509Certificate, now: Date) => c.notBefore <= now && now <= c.notAfter;
const isCa = (c: X509Certificate) => c.getExtension(BasicConstraintsExtension)?.ca === true;

async function signedBy(child: X509Certificate, issuer: X509Certificate, now: Date): Promise<boolean> {
  if (child.issuer !== issuer.subject) return false;
  try {
    return await child.verify({ publicKey: issuer.publicKey, date: now, signatureOnly: true });
  } catch {
    return false;
  }
}

function leafProblem(leaf: X509Certificate): ChainProblem | null {
  if (isCa(leaf)) return 'leaf_is_ca';
  const ku = leaf.getExtension(KeyUsagesExtension);
  if (ku && (ku.usages & KeyUsageFlags.digitalSignature) === 0) return 'not_for_client_auth';
  const eku = leaf.getExtension(ExtendedKeyUsageExtension);
  if (eku && !eku.usages.includes(ExtendedKeyUsage.clientAuth)) return 'not_for_client_auth';
  return null;
}

/** `chain` is the leaf first, then any intermediates; the anchor may be included or not. */
export async function verifyDeviceChain(
  chain: readonly Uint8Array[],
  anchors: readonly Uint8Array[],
  now: Date,
): Promise<VerifiedChain> {
  if (chain.length === 0) return { ok: false, problem: 'empty' };
  if (chain.length > MAX_CHAIN_LENGTH) return { ok: false, problem: 'too_long' };
  if (chain.some((c) => c.length > MAX_CERT_BYTES)) return { ok: false, problem: 'too_large' };
  const certs = chain.map(parse);
  const roots = anchors.map(parse).filter((c): c is X509Certificate => c !== null);
  if (certs.some((c) => c === null)) return { ok: false, problem: 'unparsable' };
  const path = certs as X509Certificate[];
  const leaf = path[0] as X509Certificate;
  if (path.some((c) => !validAt(c, now))) return { ok: false, problem: 'expired_or_not_yet_valid' };
  const problem = leafProblem(leaf) ?? (await linkProblem(path, roots, now));
  if (problem) return { ok: false, problem };
  return { ok: true, leaf, thumbprint: certThumbprint(chain[0] as Uint8Array), serialHex: serialHex(leaf) };
}

async function linkProblem(
  path: X509Certificate[],
  roots: X509Certificate[],
  now: Date,
): Promise<ChainProblem | null> {
  for (let i = 0; i < path.length; i++) {
    const cert = path[i] as X509Certificate;
    const anchor = roots.find((r) => r.subject === cert.issuer);
    if (anchor && validAt(anchor, now)) {
      return (await signedBy(cert, anchor, now)) ? null : 'bad_signature';
    }
    const next = path[i + 1];
    if (!next) return 'untrusted';
    if (!isCa(next)) return 'issuer_not_ca';
    if (!(await signedBy(cert, next, now))) return 'bad_signature';
  }
  return 'untrusted';
}

export function serialHex(cert: X509Certificate): string {
  return cert.serialNumber.toLowerCase().replace(/^0+(?=.)/, '');
}

/**
 * Proof that the handset holds the certificate's private key: its signature over the challenge text
 * (SHA256withECDSA, DER-encoded as Android's KeyStore makes it, or SHA256withRSA).
 */
export function verifyPossession(leaf: X509Certificate, challenge: string, signature: Uint8Array): boolean {
  if (signature.length === 0 || signature.length > 1024) return false;
  try {
    const key = { key: Buffer.from(leaf.publicKey.rawData), format: 'der', type: 'spki' } as const;
    return verifySignature('sha256', Buffer.from(challenge, 'utf8'), key, signature);
  } catch {
    return false;
  }
}
