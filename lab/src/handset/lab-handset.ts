import 'reflect-metadata';
import { KeyObject, sign as nodeSign, webcrypto } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Pkcs10CertificateRequestGenerator, X509Certificate } from '@peculiar/x509';
import {
  createLabAttestationRoot,
  healthyLabAttestation,
  labAttestationChain,
  type LabAttestation,
  type LabAttestationRoot,
} from '@pakawaaz/handset-simulator';

/*
 * A simulated handset playing the agent's side of enrolment over HTTP: ask a challenge for the token, make a
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
};

export type EnrolmentAttempt = {
  status: number;
  body: Record<string, unknown>;
  keys: CryptoKeyPair;
};

export class HandsetHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what}: ${status} ${JSON.stringify(body)}`);
    this.name = 'HandsetHttpError';
  }
}

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
    if (r.status !== 200) throw new HandsetHttpError(r.status, r.body, 'enrolment challenge');
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
    if (r.status !== 201) throw new HandsetHttpError(r.status, r.body, 'enrolment');
    const certificatePem = r.body.certificate as string;
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', r.keys.privateKey));
    return {
      deviceId: r.body.deviceId as string,
      certificatePem,
      certificateDer: new Uint8Array(new X509Certificate(certificatePem).rawData),
      keys: r.keys,
      keyPem: pemBlock('PRIVATE KEY', pkcs8),
      caPems: r.body.caCertificates as string[],
    };
  }
}

/** SHA256withECDSA over a text, DER-encoded as Android's KeyStore signs (the device factor's proof). */
export function signWithDeviceKey(keys: CryptoKeyPair, text: string): Uint8Array {
  return nodeSign('sha256', Buffer.from(text, 'utf8'), KeyObject.from(keys.privateKey));
}

function pemBlock(label: string, der: Uint8Array): string {
  const body = Buffer.from(der)
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/**
 * The lab attestation root kept in `<dir>/attestation-root.{pem,key}` (the key 0600): made on first use, so
 * the server (PAKAWAAZ_TRUST_LAB_ROOT=1 reads the PEM) and every lab run share one root.
 */
export async function persistentLabRoot(dir: string): Promise<LabAttestationRoot> {
  const pemFile = path.join(dir, 'attestation-root.pem');
  const keyFile = path.join(dir, 'attestation-root.key');
  try {
    const [pem, keyPem] = await Promise.all([readFile(pemFile, 'utf8'), readFile(keyFile, 'utf8')]);
    const cert = new X509Certificate(pem);
    const der = Buffer.from(keyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const privateKey: webcrypto.CryptoKey = await webcrypto.subtle.importKey(
      'pkcs8',
      new Uint8Array(der),
      { name: 'ECDSA', namedCurve: 'P-256' },
      true,
      ['sign'],
    );
    const publicKey: webcrypto.CryptoKey = await webcrypto.subtle.importKey(
      'spki',
      new Uint8Array(cert.publicKey.rawData),
      { name: 'ECDSA', namedCurve: 'P-256' },
      true,
      ['verify'],
    );
    return { cert, keys: { privateKey, publicKey }, pem: cert.toString('pem') };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const root = await createLabAttestationRoot();
  await mkdir(dir, { recursive: true });
  const pkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', root.keys.privateKey));
  await writeFile(keyFile, pemBlock('PRIVATE KEY', pkcs8), { mode: 0o600 });
  await chmod(keyFile, 0o600);
  await writeFile(pemFile, root.pem);
  return root;
}
