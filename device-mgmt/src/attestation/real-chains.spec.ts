import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readAttestationChain, verifyAttestation, type VerifyOptions } from './attestation.js';
import type { AttestationPolicy } from './policy.js';
import { googleAttestationRoots, parseRevocationList, trustRootsFromPem } from './trust.js';

/*
 * Real device chains (device-mgmt/test/fixtures/android-attestation, from google/android-key-attestation).
 * The expected values were read with OpenSSL (asn1parse of the extension, x509 -serial -dates, verify), as
 * that folder's README says, never from this parser.
 */
const dir = new URL('../../test/fixtures/android-attestation/', import.meta.url);
const chain = (name: string) => readFileSync(new URL(`${name}.chain.pem`, dir), 'utf8');
const pemBlocks = (pem: string) => pem.match(/-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g)!;

const APP_ID = {
  packages: [
    'android',
    'com.android.keychain',
    'com.android.settings',
    'com.qti.diagservices',
    'com.android.dynsystem',
    'com.android.inputdevices',
    'com.android.localtransport',
    'com.android.location.fused',
    'com.android.server.telecom',
    'com.android.wallpaperbackup',
    'com.google.SSRestartDetector',
    'com.google.android.hiddenmenu',
    'com.android.providers.settings',
  ].map((name) => ({ name, version: name === 'com.google.android.hiddenmenu' ? 1 : 29 })),
  signatureDigests: ['301aa3cb081134501c45f1422abc66c24224fd5ded5fdc8f17e697176fd866aa'],
};

const COMMON = {
  attestationVersion: 3,
  keymasterVersion: 4,
  attestationChallenge: '616263',
  rootOfTrust: { verifiedBootKey: '00'.repeat(32), deviceLocked: false, verifiedBootState: 'Unverified' },
  osVersion: 0,
  osPatchLevel: 201907,
  origin: 'Generated',
  attestationApplicationId: APP_ID,
  attestedIds: {},
};

const LAX: AttestationPolicy = {
  requireStrongBox: false,
  trustedBootKeys: [],
  minimumPatchLevel: null,
  application: null,
};
const NOW = new Date('2026-12-04T00:00:00Z');
const opts = (o: Partial<VerifyOptions> = {}): VerifyOptions => ({
  roots: googleAttestationRoots(),
  at: NOW,
  challenge: '616263',
  revocations: null,
  policy: LAX,
  ...o,
});

describe('real device chains: facts', () => {
  it.each([
    ['ec-tee', 'TrustedEnvironment', 201907, 201907],
    ['rsa-tee', 'TrustedEnvironment', 201907, 201907],
    ['ec-strongbox', 'StrongBox', 20190705, 20190700],
    ['rsa-strongbox', 'StrongBox', 20190705, 20190700],
  ] as const)('%s', (name, level, vendorPatchLevel, bootPatchLevel) => {
    const { facts } = readAttestationChain(chain(name));
    expect(facts).toStrictEqual({
      ...COMMON,
      attestationSecurityLevel: level,
      keymasterSecurityLevel: level,
      vendorPatchLevel,
      bootPatchLevel,
    });
  });

  it('lists the certificates with their serials and validity (openssl x509 -serial -dates)', () => {
    expect(readAttestationChain(chain('ec-tee')).summaries).toStrictEqual([
      {
        serial: '1',
        subject: 'CN=Android Keystore Key',
        notBefore: '1970-01-01T00:00:00.000Z',
        notAfter: '2106-02-07T06:28:15.000Z',
      },
      {
        serial: '13206311789638820911',
        subject: 'serialNumber=2dc58b2d1a241326, title=TEE',
        notBefore: '2018-03-21T20:58:58.000Z',
        notAfter: '2028-03-18T20:58:58.000Z',
      },
      {
        serial: '388266760658996857d',
        subject: 'serialNumber=2960cb9aebd505f4, title=TEE',
        notBefore: '2018-03-21T20:53:53.000Z',
        notAfter: '2028-03-18T20:53:53.000Z',
      },
      {
        serial: 'e8fa196314d2fa18',
        subject: 'serialNumber=f92009e853b6b045',
        notBefore: '2016-05-26T16:28:52.000Z',
        notAfter: '2026-05-24T16:28:52.000Z',
      },
    ]);
  });
});

describe('real device chains: verdicts', () => {
  it("a TEE chain reaches Google's root key (its own 2016 root certificate has expired) and is refused for its unlocked, unverified boot", async () => {
    for (const name of ['ec-tee', 'rsa-tee']) {
      const { verdict } = await verifyAttestation(chain(name), opts());
      expect(verdict.reasons).toStrictEqual(['DEVICE_UNLOCKED', 'BOOT_STATE']);
      expect(verdict.ok).toBe(false);
    }
  });

  it('the StrongBox chains end at a development root Google does not list', async () => {
    const { verdict } = await verifyAttestation(chain('rsa-strongbox'), opts());
    expect(verdict.reasons).toStrictEqual(['ROOT_UNTRUSTED', 'DEVICE_UNLOCKED', 'BOOT_STATE']);
    const devRoot = trustRootsFromPem(pemBlocks(chain('rsa-strongbox'))[3]!);
    const trusted = await verifyAttestation(chain('rsa-strongbox'), opts({ roots: devRoot }));
    expect(trusted.verdict.reasons).toStrictEqual(['DEVICE_UNLOCKED', 'BOOT_STATE']);
  });

  it('the broken StrongBox chain (leaf not signed by the next certificate) is CHAIN_INVALID', async () => {
    const devRoot = trustRootsFromPem(pemBlocks(chain('ec-strongbox'))[3]!);
    const { verdict } = await verifyAttestation(chain('ec-strongbox'), opts({ roots: devRoot }));
    expect(verdict.reasons).toStrictEqual(['CHAIN_INVALID', 'DEVICE_UNLOCKED', 'BOOT_STATE']);
    expect(verdict.refusals[0]!.message).toContain('certificate 1 is not signed by certificate 2');
  });

  it('is judged at a point in time: after the intermediates expire (2028-03-18) the chain is CERT_EXPIRED', async () => {
    const { verdict } = await verifyAttestation(
      chain('ec-tee'),
      opts({ at: new Date('2028-06-01T00:00:00Z') }),
    );
    expect(verdict.reasons).toStrictEqual(['CERT_EXPIRED', 'DEVICE_UNLOCKED', 'BOOT_STATE']);
    expect(verdict.refusals.filter((r) => r.code === 'CERT_EXPIRED').map((r) => r.message)).toStrictEqual([
      'certificate 2 expired on 2028-03-18T20:58:58.000Z',
      'certificate 3 expired on 2028-03-18T20:53:53.000Z',
    ]);
    const before = await verifyAttestation(chain('ec-tee'), opts({ at: new Date('2018-03-21T20:00:00Z') }));
    expect(before.verdict.reasons[0]).toBe('CERT_NOT_YET_VALID');
  });

  it('a different challenge is CHALLENGE_MISMATCH; a status list naming an intermediate is CERT_REVOKED', async () => {
    const wrong = await verifyAttestation(chain('ec-tee'), opts({ challenge: '616264' }));
    expect(wrong.verdict.reasons).toContain('CHALLENGE_MISMATCH');
    const sample = parseRevocationList(
      JSON.parse(readFileSync(new URL('revocation-status.sample.json', dir), 'utf8')),
    );
    expect(
      (await verifyAttestation(chain('ec-tee'), opts({ revocations: sample }))).verdict.reasons,
    ).not.toContain('CERT_REVOKED');
    // Certificate 2 of ec-tee: `openssl x509 -serial` prints 13206311789638820911 (hex, all digits).
    const revoked = parseRevocationList({
      entries: { '13206311789638820911': { status: 'REVOKED', reason: 'KEY_COMPROMISE' } },
    });
    const { verdict } = await verifyAttestation(chain('ec-tee'), opts({ revocations: revoked }));
    expect(verdict.refusals.find((r) => r.code === 'CERT_REVOKED')?.message).toBe(
      'certificate 2 (serial 13206311789638820911) is REVOKED (KEY_COMPROMISE)',
    );
  });

  it('a tampered leaf (its challenge edited from "abc" to "abd") is CHAIN_INVALID', async () => {
    const ders = pemBlocks(chain('ec-tee')).map((b) =>
      Buffer.from(b.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'),
    );
    const at = ders[0]!.indexOf(Buffer.from([0x04, 0x03, 0x61, 0x62, 0x63]));
    expect(at).toBeGreaterThan(0);
    ders[0]![at + 4] = 0x64;
    const { verdict } = await verifyAttestation(
      ders.map((d) => new Uint8Array(d)),
      opts(),
    );
    expect(verdict.reasons).toStrictEqual([
      'CHAIN_INVALID',
      'CHALLENGE_MISMATCH',
      'DEVICE_UNLOCKED',
      'BOOT_STATE',
    ]);
  });

  it('a tampered intermediate is refused after the genuine chain with the same issuer warmed the caches (they key on exact bytes)', async () => {
    for (const name of ['ec-tee', 'rsa-tee']) {
      const ders = pemBlocks(chain(name)).map(
        (b) => new Uint8Array(Buffer.from(b.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64')),
      );
      const genuine = async () => (await verifyAttestation(ders, opts())).verdict.reasons;
      expect(await genuine()).toStrictEqual(['DEVICE_UNLOCKED', 'BOOT_STATE']);
      // Certificates 2 and 3 are shared by a batch: their signature checks go through the memo.
      for (const i of [1, 2]) {
        const tampered = ders.map((d) => new Uint8Array(d));
        const cert = tampered[i]!;
        cert[cert.length - 1]! ^= 0x01; // the last byte of its signature value
        const { verdict } = await verifyAttestation(tampered, opts());
        expect(verdict.reasons).toStrictEqual(['CHAIN_INVALID', 'DEVICE_UNLOCKED', 'BOOT_STATE']);
        expect(verdict.refusals[0]!.message).toBe(
          `certificate ${i + 1} is not signed by certificate ${i + 2} (wrong order, or tampered)`,
        );
      }
      expect(await genuine()).toStrictEqual(['DEVICE_UNLOCKED', 'BOOT_STATE']);
    }
  });
});
