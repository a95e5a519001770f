import { ATTESTATION_LIMITS, AttestationInputError } from './limits.js';

const BLOCK = /-----BEGIN CERTIFICATE-----([^-]*)-----END CERTIFICATE-----/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The certificates of a PEM chain, leaf first, as DER. Blocks may follow each other without a line break
 * (as some tools write them); text between blocks is ignored. Size caps apply before decoding.
 */
export function certificatesFromPem(pem: string): Uint8Array[] {
  if (pem.length > ATTESTATION_LIMITS.maxPemBytes)
    throw new AttestationInputError(
      'CHAIN_TOO_LARGE',
      `the PEM chain is ${pem.length} bytes; at most ${ATTESTATION_LIMITS.maxPemBytes} are accepted`,
    );
  const ders: Uint8Array[] = [];
  for (const m of pem.matchAll(BLOCK)) {
    const body = m[1]!.replace(/\s+/g, '');
    if (!BASE64.test(body) || body.length % 4 !== 0)
      throw new AttestationInputError(
        'NOT_PEM',
        `certificate ${ders.length + 1} is not valid base64 between its BEGIN and END lines`,
      );
    ders.push(new Uint8Array(Buffer.from(body, 'base64')));
    if (ders.length > ATTESTATION_LIMITS.maxCertificates) break;
  }
  if (ders.length === 0)
    throw new AttestationInputError(
      'NOT_PEM',
      'no "-----BEGIN CERTIFICATE-----" block found: give the attestation chain as PEM, leaf first',
    );
  return ders;
}

/** Enforces the chain caps (count, per-certificate and total size) on DER certificates. */
export function checkChainSize(ders: readonly Uint8Array[]): void {
  if (ders.length === 0) throw new AttestationInputError('CHAIN_EMPTY', 'the chain has no certificate');
  if (ders.length > ATTESTATION_LIMITS.maxCertificates)
    throw new AttestationInputError(
      'TOO_MANY_CERTIFICATES',
      `the chain has more than ${ATTESTATION_LIMITS.maxCertificates} certificates`,
    );
  let total = 0;
  ders.forEach((der, i) => {
    if (der.length > ATTESTATION_LIMITS.maxCertificateBytes)
      throw new AttestationInputError(
        'CERTIFICATE_TOO_LARGE',
        `certificate ${i + 1} is ${der.length} bytes; at most ${ATTESTATION_LIMITS.maxCertificateBytes} are accepted`,
      );
    total += der.length;
  });
  if (total > ATTESTATION_LIMITS.maxChainBytes)
    throw new AttestationInputError(
      'CHAIN_TOO_LARGE',
      `the chain is ${total} bytes; at most ${ATTESTATION_LIMITS.maxChainBytes} are accepted`,
    );
}

/** Every certificate of a PEM bundle (trust roots), without the chain caps. */
export function pemBundle(pem: string): Uint8Array[] {
  return [...pem.matchAll(BLOCK)].map(
    (m) => new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')),
  );
}
