import 'reflect-metadata';
import { KeyObject, sign as nodeSign, webcrypto } from 'node:crypto';
import { Pkcs10CertificateRequestGenerator, X509Certificate } from '@peculiar/x509';
import { HandsetHttpError } from './http-error.js';
import {
  healthyLabAttestation,
  labAttestationChain,
  type LabAttestation,
  type LabAttestationRoot,
} from './lab-attestation.js';

/*
 * Enrolment step by step (SimulatedHandset uses it whole; tests use the steps to replay and tamper): the
 * agent's side of enrolment over HTTP: ask a challenge for the token, make a
 * key "in the keystore" (WebCrypto P-256) attested by the lab attestation root with that challenge, send the
 * chain and a CSR for the key, keep the device certificate. What it attests is a parameter, so tests can
 * play unlocked, outdated or software-only handsets too.
 */

type CryptoKeyPair = webcrypto.CryptoKeyPair;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const b64 = (b: Uint8Array | ArrayBuffer) =>
  Buffer.from(b instanceof ArrayBuffer ? new Uint8Array(b) : b).toString('base64');

export type EnrolledHandset = {
  deviceId: string;
  certificatePem: string;
  certificateDer: Uint8Array;
  keys: CryptoKeyPair;
  keyPem: string;
  caPems: string[];
  checkInIntervalSeconds: number;
};

export type EnrolmentAttempt = {
  status: number;
  body: Record<string, unknown>;
  keys: CryptoKeyPair;
};

const codeOf = (body: Record<string, unknown>) => (typeof body.code === 'string' ? body.code : undefined);

async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export class LabHandset {
  constructor(
    private readonly root: LabAttestationRoot,
    /** What the hardware attests for a challenge (default: a healthy, locked, patched handset). */
    private readonly attests: (challenge: Uint8Array) => LabAttestation = healthyLabAttestation,
  ) {}

  /** A single-use challenge for the token. */
  async challenge(baseUrl: string, token: string): Promise<{ challengeId: string; challenge: string }> {
    const r = await post(`${baseUrl}/api/v1/enrolment/challenge`, { token });
    if (r.status !== 200) throw new HandsetHttpError(r.status, codeOf(r.body), r.body);
    return r.body as { challengeId: string; challenge: string };
  }

  /** An attested key for the challenge and the request the handset sends (chain base64 DER, CSR). */
  async attest(challengeHex: string): Promise<{ chain: string[]; csr: string; keys: CryptoKeyPair }> {
    const chain = await labAttestationChain(this.root, this.attests(Buffer.from(challengeHex, 'hex')));
    const csr = await Pkcs10CertificateRequestGenerator.create({
      name: 'CN=Pakawaaz handset',
      keys: chain.leafKeys,
      signingAlgorithm: SIGN,
    });
    return { chain: chain.ders.map(b64), csr: b64(csr.rawData), keys: chain.leafKeys };
  }

  /** One enrolment attempt, whatever the answer (tests look at refusals). */
  async tryEnrol(baseUrl: string, token: string): Promise<EnrolmentAttempt> {
    const { challengeId, challenge } = await this.challenge(baseUrl, token);
    const { chain, csr, keys } = await this.attest(challenge);
    const r = await post(`${baseUrl}/api/v1/enrolment`, { token, challengeId, attestationChain: chain, csr });
    return { ...r, keys };
  }

  async enrol(baseUrl: string, token: string): Promise<EnrolledHandset> {
    const r = await this.tryEnrol(baseUrl, token);
    if (r.status !== 201) throw new HandsetHttpError(r.status, codeOf(r.body), r.body);
    const certificatePem = r.body.certificate as string;
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', r.keys.privateKey));
    return {
      deviceId: r.body.deviceId as string,
      certificatePem,
      certificateDer: new Uint8Array(new X509Certificate(certificatePem).rawData),
      keys: r.keys,
      keyPem: pemBlock('PRIVATE KEY', pkcs8),
      caPems: r.body.caCertificates as string[],
      checkInIntervalSeconds: (r.body.checkInIntervalSeconds as number | undefined) ?? 900,
    };
  }
}

/** SHA256withECDSA over a text, DER-encoded as Android's KeyStore signs (the device factor's proof). */
export function signWithDeviceKey(keys: CryptoKeyPair, text: string): Uint8Array {
  return nodeSign('sha256', Buffer.from(text, 'utf8'), KeyObject.from(keys.privateKey));
}

/** DER as a PEM block (64-character lines), e.g. a PKCS#8 key for TLS. */
export function pemBlock(label: string, der: Uint8Array | ArrayBuffer): string {
  const body = Buffer.from(der instanceof ArrayBuffer ? new Uint8Array(der) : der)
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}
