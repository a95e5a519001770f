import { KeyObject, randomBytes, sign } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import {
  LAB_VERIFIED_BOOT_KEY,
  parseRevocationList,
  readAttestationChain,
  trustRootsFromPem,
  verifyAttestation,
  type AttestationPolicy,
  type VerifyOptions,
} from '@pakawaaz/device-mgmt/attestation';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createLabAttestationRoot,
  forgedLabAttestationChain,
  healthyLabAttestation,
  LAB_AGENT,
  LAB_BOOT_KEY,
  labAttestationChain,
  type LabAttestation,
  type LabAttestationRoot,
} from '@pakawaaz/handset-simulator';

/*
 * The verifier on chains from the lab attestation root: each departure from a healthy handset is refused
 * with exactly its reason code, and the healthy one is accepted.
 */
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const POLICY: AttestationPolicy = {
  requireStrongBox: false,
  trustedBootKeys: [hex(LAB_BOOT_KEY)],
  minimumPatchLevel: 202510,
  application: { packageName: LAB_AGENT.packageName, signatureDigests: [hex(LAB_AGENT.signatureDigest)] },
};

let root: LabAttestationRoot;
let challenge: Buffer;
beforeAll(async () => {
  root = await createLabAttestationRoot();
  challenge = randomBytes(32);
});

async function judge(change: Partial<LabAttestation>, o: Partial<VerifyOptions> = {}) {
  const { pem } = await labAttestationChain(root, { ...healthyLabAttestation(challenge), ...change });
  return judgePem(pem, o);
}

async function judgePem(pem: string, o: Partial<VerifyOptions> = {}) {
  const { verdict } = await verifyAttestation(pem, {
    roots: trustRootsFromPem(root.pem, 'lab root'),
    at: new Date(),
    challenge: hex(challenge),
    revocations: parseRevocationList({ entries: {} }),
    policy: POLICY,
    ...o,
  });
  return verdict;
}

describe('lab attestation chains', () => {
  it('boot with the key a server trusting the lab root accepts as ours', () => {
    expect(hex(LAB_BOOT_KEY)).toBe(LAB_VERIFIED_BOOT_KEY);
  });

  it('carry a genuine KeyDescription that reads back as built', async () => {
    const { pem } = await labAttestationChain(root, {
      ...healthyLabAttestation(challenge),
      imei: '490154203237518',
      serial: 'LAB0001',
    });
    const { facts } = readAttestationChain(pem);
    expect(facts).toMatchObject({
      attestationVersion: 200,
      attestationSecurityLevel: 'StrongBox',
      keymasterSecurityLevel: 'StrongBox',
      attestationChallenge: hex(challenge),
      rootOfTrust: {
        verifiedBootKey: hex(LAB_BOOT_KEY),
        deviceLocked: true,
        verifiedBootState: 'SelfSigned',
      },
      osVersion: 150000,
      osPatchLevel: 202511,
      vendorPatchLevel: 20251105,
      bootPatchLevel: 20251105,
      origin: 'Generated',
      attestationApplicationId: {
        packages: [{ name: LAB_AGENT.packageName, version: 1 }],
        signatureDigests: [hex(LAB_AGENT.signatureDigest)],
      },
      attestedIds: { imei: '490154203237518', serial: 'LAB0001' },
    });
  });

  it('a healthy handset is accepted, with every check made', async () => {
    expect(await judge({})).toStrictEqual({ ok: true, reasons: [], refusals: [], notChecked: [] });
  });

  it.each([
    ['wrong challenge', { challenge: randomBytes(32) }, 'CHALLENGE_MISMATCH'],
    ['unlocked bootloader', { deviceLocked: false }, 'DEVICE_UNLOCKED'],
    ['unverified boot', { verifiedBootState: 'Unverified' }, 'BOOT_STATE'],
    ['failed boot', { verifiedBootState: 'Failed' }, 'BOOT_STATE'],
    ['a foreign OS boot key', { verifiedBootKey: randomBytes(32) }, 'BOOT_KEY_UNKNOWN'],
    ['an old OS patch level', { osPatchLevel: 202409 }, 'PATCH_LEVEL'],
    ['an old vendor patch level', { vendorPatchLevel: 20240905 }, 'PATCH_LEVEL'],
    ['another app made the key', { packageName: 'com.example.other' }, 'APPLICATION_ID'],
    ['our package signed with another key', { signatureDigest: randomBytes(32) }, 'APPLICATION_ID'],
    ['an imported key', { origin: 2 }, 'KEY_ORIGIN'],
    ['a software key', { securityLevel: 'Software' }, 'SECURITY_LEVEL'],
    [
      'expired certificates',
      { notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') },
      'CERT_EXPIRED',
    ],
  ] as [string, Partial<LabAttestation>, string][])('%s: %s', async (_name, change, code) => {
    expect((await judge(change)).reasons).toStrictEqual([code]);
  });

  it('a TEE key is refused only when the policy demands StrongBox', async () => {
    expect((await judge({ securityLevel: 'TrustedEnvironment' })).ok).toBe(true);
    const strict = await judge(
      { securityLevel: 'TrustedEnvironment' },
      { policy: { ...POLICY, requireStrongBox: true } },
    );
    expect(strict.reasons).toStrictEqual(['SECURITY_LEVEL']);
  });

  it('a revoked intermediate (by serial, Google status format) is CERT_REVOKED', async () => {
    const revocations = parseRevocationList({
      entries: { '0BADC0DE': { status: 'SUSPENDED', reason: 'KEY_COMPROMISE' } },
    });
    expect((await judge({}, { revocations })).reasons).toStrictEqual(['CERT_REVOKED']);
  });

  it('a chain from another root (or the lab root not trusted) is ROOT_UNTRUSTED', async () => {
    const other = await createLabAttestationRoot();
    expect((await judge({}, { roots: trustRootsFromPem(other.pem) })).reasons).toStrictEqual([
      'ROOT_UNTRUSTED',
    ]);
  });

  it('a chain judged at a time before it was issued is CERT_NOT_YET_VALID', async () => {
    expect((await judge({}, { at: new Date('2001-01-01') })).reasons).toStrictEqual(['CERT_NOT_YET_VALID']);
  });

  it('a hand-made leaf signed by an attested key of an unlocked handset is CHAIN_INVALID', async () => {
    const unlocked: LabAttestation = {
      ...healthyLabAttestation(randomBytes(32)),
      securityLevel: 'TrustedEnvironment',
      deviceLocked: false,
      verifiedBootState: 'Unverified',
      verifiedBootKey: randomBytes(32),
    };
    const { pem } = await forgedLabAttestationChain(root, unlocked, healthyLabAttestation(challenge));
    // The forged leaf's claims read back as a perfect handset's: only the chain check can refuse it.
    expect(readAttestationChain(pem).facts.rootOfTrust).toMatchObject({ deviceLocked: true });
    const verdict = await judgePem(pem);
    expect(verdict.reasons).toStrictEqual(['CHAIN_INVALID']);
    expect(verdict.refusals.map((r) => r.message)).toStrictEqual([
      expect.stringMatching(/^certificate 2 carries an Android key attestation extension/),
      expect.stringMatching(/^certificate 2 is not a certification authority/),
    ]);
  });

  it('a batch intermediate without cA=TRUE is CHAIN_INVALID', async () => {
    const verdict = await judge({ intermediateIsCa: false });
    expect(verdict.reasons).toStrictEqual(['CHAIN_INVALID']);
    expect(verdict.refusals[0]!.message).toMatch(/^certificate 2 is not a certification authority/);
  });

  it('a root whose pathLenConstraint forbids the batch intermediate is CHAIN_INVALID', async () => {
    const strict = await createLabAttestationRoot(new Date(), 0);
    const { pem } = await labAttestationChain(strict, healthyLabAttestation(challenge));
    const verdict = await judgePem(pem, { roots: trustRootsFromPem(strict.pem, 'lab root') });
    expect(verdict.reasons).toStrictEqual(['CHAIN_INVALID']);
    expect(verdict.refusals[0]!.message).toMatch(/^certificate 3 allows at most 0 intermediate/);
  });

  it('a root with pathLenConstraint 1 accepts its one batch intermediate', async () => {
    const one = await createLabAttestationRoot(new Date(), 1);
    const { pem } = await labAttestationChain(one, healthyLabAttestation(challenge));
    expect((await judgePem(pem, { roots: trustRootsFromPem(one.pem, 'lab root') })).ok).toBe(true);
  });

  it('a certificate whose outer signature algorithm is not the one its signed body names is CHAIN_INVALID', async () => {
    const { ders } = await labAttestationChain(root, healthyLabAttestation(challenge));
    // The batch intermediate, its signature made anew with SHA-384 by the root and the outer algorithm saying
    // so, while the signed body still names ecdsa-with-SHA256 (RFC 5280 4.1.1.2: the two must be the same).
    const batch = AsnConvert.parse(ders[1]!, Certificate);
    expect(batch.tbsCertificate.signature.algorithm).toBe('1.2.840.10045.4.3.2');
    batch.signatureAlgorithm.algorithm = '1.2.840.10045.4.3.3';
    const tbs = Buffer.from(AsnConvert.serialize(batch.tbsCertificate));
    const key = KeyObject.from(root.keys.privateKey);
    batch.signatureValue = new Uint8Array(sign('sha384', tbs, { key, dsaEncoding: 'der' })).buffer;
    const mixed = [ders[0]!, new Uint8Array(AsnConvert.serialize(batch)), ders[2]!];
    const { verdict } = await verifyAttestation(mixed, {
      roots: trustRootsFromPem(root.pem, 'lab root'),
      at: new Date(),
      challenge: hex(challenge),
      revocations: parseRevocationList({ entries: {} }),
      policy: POLICY,
    });
    expect(verdict.reasons).toStrictEqual(['CHAIN_INVALID']);
  });
});
