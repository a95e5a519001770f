import 'reflect-metadata';
import { generateKeyPairSync, sign, webcrypto } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, FileKeyBackend, KeyService } from '@pakawaaz/platform';
import { Pkcs10CertificateRequestGenerator } from '@peculiar/x509';
import {
  createCaCertificate,
  issueDeviceCertificate,
  openDeviceCa,
  verifiedCsr,
} from '../device-ca/device-ca.js';

/**
 * Device certificates issued per second on one process — CSR signature check, certificate built and signed
 * by the key service's file-backed ES256 signer — against the raw ECDSA P-256 signatures per second of
 * Node's crypto measured in the same run (an issuance needs one signature and one verification).
 */
const TARGET_PER_SECOND = 1_000;
const DURATION_MS = 2_000;
const CONCURRENCY = 32;
const CSRS = 256;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function rate(op: (i: number) => Promise<unknown>, ms: number): Promise<number> {
  for (let i = 0; i < 100; i++) await op(i);
  let done = 0;
  const start = performance.now();
  const worker = async () => {
    while (performance.now() - start < ms) await op(done++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return done / ((performance.now() - start) / 1000);
}

export async function run(): Promise<void> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = Buffer.alloc(400, 7);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < DURATION_MS) {
    for (let i = 0; i < 100; i++) sign('sha256', data, privateKey);
    n += 100;
  }
  const baseline = n / ((performance.now() - t0) / 1000);
  process.stdout.write(
    `${'raw ECDSA P-256 sign, node crypto (baseline)'.padEnd(48)} ${fmt(baseline).padStart(8)} /s\n`,
  );

  const dir = await mkdtemp(path.join(tmpdir(), 'pkz-ca-bench-'));
  try {
    const keys = new KeyService(new FileKeyBackend(), createLogger({ level: 'silent' }));
    const signer = await keys.useSigner({
      name: 'device-ca',
      file: path.join(dir, 'device-ca.jwk'),
      alg: 'ES256',
    });
    const { createPublicKey } = await import('node:crypto');
    const spki = createPublicKey({ key: signer.publicJwk as never, format: 'jwk' }).export({
      type: 'spki',
      format: 'der',
    });
    const cert = await createCaCertificate({
      signer,
      publicKeySpki: spki,
      name: 'CN=Bench CA',
      now: new Date(),
      validityDays: 3650,
    });
    const ca = await openDeviceCa(cert, signer);
    const csrs = await Promise.all(
      Array.from({ length: CSRS }, async () => {
        const k = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
          'sign',
          'verify',
        ]);
        const csr = await Pkcs10CertificateRequestGenerator.create({
          name: 'CN=h',
          keys: k,
          signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
        });
        return new Uint8Array(csr.rawData);
      }),
    );
    const issued = await rate(async (i) => {
      const csr = await verifiedCsr(csrs[i % CSRS]!);
      return issueDeviceCertificate(ca, {
        csr,
        attestedSpki: csr.spki,
        deviceId: '4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9c',
        userId: 'u-1',
        imei: '490154203237518',
        now: new Date(),
        validityDays: 90,
      });
    }, DURATION_MS);
    process.stdout.write(
      `${'device certificate issuance (CSR check + sign)'.padEnd(48)} ${fmt(issued).padStart(8)} /s  ` +
        `(x${(issued / baseline).toFixed(2)} of baseline)  ${issued >= TARGET_PER_SECOND ? 'PASS' : 'FAIL'} (target ≥ ${fmt(TARGET_PER_SECOND)}/s)\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
