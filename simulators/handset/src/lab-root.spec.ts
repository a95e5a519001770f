import 'reflect-metadata';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from '@peculiar/x509';
import { afterEach, describe, expect, it } from 'vitest';
import { healthyLabAttestation, labAttestationChain } from './lab-attestation.js';
import { labRootPaths, loadOrCreateLabRoot } from './lab-root.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the lab root of a data folder', () => {
  it('is made once, with a private key only its owner reads, and signs chains after a reload', async () => {
    dir = await mkdtemp(join(tmpdir(), 'lab-root-'));
    const first = await loadOrCreateLabRoot(dir);
    expect((await stat(labRootPaths(dir).key)).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateLabRoot(dir);
    expect(again.pem).toBe(first.pem);
    const chain = await labAttestationChain(again, healthyLabAttestation(new Uint8Array(32)));
    const batch = new X509Certificate(chain.ders[1]!);
    // Signed by the reloaded key: the batch certificate verifies against the root made on first use.
    expect(await batch.verify({ publicKey: first.cert.publicKey, signatureOnly: true })).toBe(true);
  });
});
