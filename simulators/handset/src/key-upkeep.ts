import { createPublicKey, webcrypto } from 'node:crypto';
import { Pkcs10CertificateRequestGenerator, X509Certificate } from '@peculiar/x509';
import { labAttestationChain, type LabAttestation, type LabAttestationRoot } from './lab-attestation.js';

/*
 * The agent's upkeep of its device key: re-attestation (a fresh challenge, a new attestation chain of the key
 * it holds) before the evidence gets older than the policy allows, and certificate renewal (a CSR for the same
 * key) before the certificate expires. The timing rules are pure; the steps take the handset's mutual-TLS call.
 */

type CryptoKeyPair = webcrypto.CryptoKeyPair;
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const HOUR = 3_600_000;

/** The built-in default of the policy's `maxAttestationAgeHours` (a handset on policy version 0 has no other). */
export const DEFAULT_MAX_ATTESTATION_AGE_HOURS = 24;
/** Renew once this fraction of the certificate's life has passed (a third of it is left for retries). */
export const RENEW_AFTER_FRACTION = 2 / 3;

/**
 * Whether to re-attest now: the evidence would be older than the policy's limit before the check-in after next
 * (two intervals of margin), or three quarters of the limit have passed — whichever comes first.
 */
export function attestationDue(
  attestedAt: Date,
  now: Date,
  maxAgeHours: number,
  checkInIntervalSeconds: number,
): boolean {
  const limit = maxAgeHours * HOUR;
  const margin = Math.max(limit / 4, 2 * checkInIntervalSeconds * 1000);
  return now.getTime() - attestedAt.getTime() >= limit - margin;
}

/** Whether to renew now: two thirds of the certificate's validity have passed (or it has expired). */
export function renewalDue(certificatePem: string, now: Date): boolean {
  const c = new X509Certificate(certificatePem);
  const from = c.notBefore.getTime();
  const to = c.notAfter.getTime();
  return now.getTime() >= from + (to - from) * RENEW_AFTER_FRACTION;
}

/** The handset's key pair as WebCrypto keys, from its PKCS#8 PEM (the public half derived from it). */
export async function keyPairOf(keyPem: string): Promise<CryptoKeyPair> {
  const der = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const spki = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  const [privateKey, publicKey] = await Promise.all([
    webcrypto.subtle.importKey('pkcs8', der(keyPem), EC, true, ['sign']),
    webcrypto.subtle.importKey('spki', spki, EC, true, ['verify']),
  ]);
  return { privateKey, publicKey };
}

/** A call over mutual TLS with the device certificate (SimulatedHandset.deviceCall). */
export type DeviceCall = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/**
 * Re-attestation: a fresh single-use challenge, then an attestation chain of the same key with it. Resolves
 * with the server's attestation time; rejects with the server's refusal (HandsetHttpError).
 */
export async function reattestKey(
  call: DeviceCall,
  root: LabAttestationRoot,
  attests: (challenge: Uint8Array) => LabAttestation,
  keys: CryptoKeyPair,
): Promise<{ attestedAt: string }> {
  const c = await call<{ challengeId: string; challenge: string }>(
    'POST',
    '/api/v1/device/attestation/challenge',
    {},
  );
  const chain = await labAttestationChain(root, attests(Buffer.from(c.challenge, 'hex')), keys);
  return call<{ attestedAt: string }>('POST', '/api/v1/device/attestation', {
    challengeId: c.challengeId,
    attestationChain: chain.ders.map((d) => Buffer.from(d).toString('base64')),
  });
}

/** Renewal: a CSR for the key the device certificate is for; the server supersedes (revokes) the old one. */
export async function renewCertificate(
  call: DeviceCall,
  keys: CryptoKeyPair,
): Promise<{ certificatePem: string; caPems: string[] }> {
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: 'CN=Pakawaaz handset',
    keys,
    signingAlgorithm: SIGN,
  });
  const r = await call<{ certificate: string; caCertificates: string[] }>(
    'POST',
    '/api/v1/device/certificate',
    { csr: Buffer.from(csr.rawData).toString('base64') },
  );
  return { certificatePem: r.certificate, caPems: r.caCertificates };
}
