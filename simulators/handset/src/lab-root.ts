import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import { X509Certificate } from '@peculiar/x509';
import { createLabAttestationRoot, type LabAttestationRoot } from './lab-attestation.js';
import { pemBlock } from './lab-handset.js';

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** Where a data folder keeps the lab attestation root: the server trusts the `.pem` with PAKAWAAZ_TRUST_LAB_ROOT=1. */
export const labRootPaths = (dir: string) => ({
  cert: join(dir, 'attestation-root.pem'),
  key: join(dir, 'attestation-root.key'),
});

/**
 * The lab root of this folder, made on first use (key 0600, written atomically). Demo and test only: it
 * signs whatever a simulated handset claims, so a production server never trusts it.
 */
export async function loadOrCreateLabRoot(dir: string): Promise<LabAttestationRoot> {
  const paths = labRootPaths(dir);
  const existing = await readLabRoot(paths);
  if (existing) return existing;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const root = await createLabAttestationRoot();
  const key = await webcrypto.subtle.exportKey('pkcs8', root.keys.privateKey);
  await writeAtomically(paths.key, pemBlock('PRIVATE KEY', key), 0o600);
  await writeAtomically(paths.cert, root.pem, 0o644);
  return root;
}

async function readLabRoot(paths: { cert: string; key: string }): Promise<LabAttestationRoot | null> {
  let pem: string;
  let keyPem: string;
  try {
    [pem, keyPem] = await Promise.all([readFile(paths.cert, 'utf8'), readFile(paths.key, 'utf8')]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const cert = new X509Certificate(pem);
  const der = Buffer.from(keyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const privateKey: webcrypto.CryptoKey = await webcrypto.subtle.importKey('pkcs8', der, EC, true, ['sign']);
  const publicKey: webcrypto.CryptoKey = await webcrypto.subtle.importKey(
    'spki',
    new Uint8Array(cert.publicKey.rawData),
    EC,
    true,
    ['verify'],
  );
  return { cert, keys: { privateKey, publicKey }, pem: cert.toString('pem') };
}

async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}
