import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import {
  AttestationApplicationId,
  AttestationPackageInfo,
  AuthorizationList,
  id_ce_keyDescription,
  IntegerSet,
  KeyDescription,
  RootOfTrust,
} from '@peculiar/asn1-android';
import { AsnSerializer, OctetString } from '@peculiar/asn1-schema';
import {
  BasicConstraintsExtension,
  Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  X509Certificate,
  X509CertificateGenerator,
} from '@peculiar/x509';

/*
 * A lab attestation root and the chains a handset would send: root → batch intermediate → leaf, the leaf
 * carrying a genuine KeyDescription (the same ASN.1 as real devices, built with @peculiar/asn1-android).
 * For tests and the handset simulator only: the server trusts the lab root only when told to.
 */

type CryptoKeyPair = webcrypto.CryptoKeyPair;
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export type LabAttestationRoot = { cert: X509Certificate; keys: CryptoKeyPair; pem: string };

const LEVELS = { Software: 0, TrustedEnvironment: 1, StrongBox: 2 } as const;
const BOOT = { Verified: 0, SelfSigned: 1, Unverified: 2, Failed: 3 } as const;

/** What the simulated handset attests; every field has the value of a healthy, locked, patched device. */
export type LabAttestation = {
  challenge: Uint8Array;
  securityLevel: keyof typeof LEVELS;
  deviceLocked: boolean;
  verifiedBootState: keyof typeof BOOT;
  /** SHA-256 of the verified-boot key (32 bytes). */
  verifiedBootKey: Uint8Array;
  osVersion: number;
  osPatchLevel: number;
  vendorPatchLevel: number;
  bootPatchLevel: number;
  packageName: string;
  /** SHA-256 of the agent's signing certificate. */
  signatureDigest: Uint8Array;
  /** KeyMint KeyOrigin: 0 generated, 2 imported… */
  origin: number;
  imei?: string;
  serial?: string;
  /** The attested model (`attestationIdModel`): the codename the registry and rollouts know it by. */
  model?: string;
  /** Validity of the leaf and the batch intermediate (default: a day ago to a year ahead). */
  notBefore?: Date;
  notAfter?: Date;
  /** Serial of the batch intermediate, hex (to list it in a revocation list). */
  intermediateSerial?: string;
  /** false: a batch intermediate without cA (a broken chain, for tests); default true. */
  intermediateIsCa?: boolean;
};

/** The lab's own verified-boot key digest and agent, as a hardened-os build would attest them. */
export const LAB_BOOT_KEY = createHash('sha256').update('pakawaaz lab verified-boot key').digest();
export const LAB_AGENT = {
  packageName: 'org.pakawaaz.agent',
  signatureDigest: createHash('sha256').update('pakawaaz lab agent signing certificate').digest(),
} as const;

export function healthyLabAttestation(challenge: Uint8Array): LabAttestation {
  return {
    challenge,
    securityLevel: 'StrongBox',
    deviceLocked: true,
    verifiedBootState: 'SelfSigned',
    verifiedBootKey: LAB_BOOT_KEY,
    osVersion: 150000,
    osPatchLevel: 202511,
    vendorPatchLevel: 20251105,
    bootPatchLevel: 20251105,
    packageName: LAB_AGENT.packageName,
    signatureDigest: LAB_AGENT.signatureDigest,
    origin: 0,
  };
}

const buf = (b: Uint8Array): ArrayBuffer => new Uint8Array(b).buffer;
const octets = (b: Uint8Array) => new OctetString(buf(b));
const utf8 = (s: string) => octets(new TextEncoder().encode(s));
const pemOf = (c: X509Certificate) => c.toString('pem');
/** The fields a schema object has set (its class declares the others as undefined own properties). */
const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** `pathLen` limits the intermediates below the root (0 makes the lab's own batch one too many). */
export async function createLabAttestationRoot(
  now = new Date(),
  pathLen?: number,
): Promise<LabAttestationRoot> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Pakawaaz Lab Attestation Root, O=Pakawaaz lab',
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 10 * 365 * DAY),
    keys,
    signingAlgorithm: SIGN,
    extensions: [
      new BasicConstraintsExtension(true, pathLen, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign, true),
    ],
  });
  return { cert, keys, pem: pemOf(cert) };
}

/** The DER of a KeyDescription with these facts (attestation version 200, KeyMint 2). */
export function labKeyDescription(a: LabAttestation): Uint8Array {
  const level = LEVELS[a.securityLevel];
  const appId = new AttestationApplicationId({
    packageInfos: [
      // The schema declares package_name as a bare OCTET STRING (an ArrayBuffer), not its OctetString class.
      new AttestationPackageInfo({
        packageName: buf(new TextEncoder().encode(a.packageName)) as unknown as OctetString,
        version: 1,
      }),
    ],
    signatureDigests: [buf(a.signatureDigest) as unknown as OctetString],
  });
  const hardware = new AuthorizationList({
    purpose: new IntegerSet([2, 3]),
    algorithm: 3,
    keySize: 256,
    digest: new IntegerSet([4]),
    ecCurve: 1,
    noAuthRequired: null,
    origin: a.origin,
    rootOfTrust: new RootOfTrust({
      verifiedBootKey: octets(a.verifiedBootKey),
      deviceLocked: a.deviceLocked,
      verifiedBootState: BOOT[a.verifiedBootState],
      verifiedBootHash: octets(new Uint8Array(32).fill(0x5a)),
    }),
    osVersion: a.osVersion,
    osPatchLevel: a.osPatchLevel,
    ...(a.imei ? { attestationIdImei: utf8(a.imei) } : {}),
    ...(a.serial ? { attestationIdSerial: utf8(a.serial) } : {}),
    ...(a.model ? { attestationIdModel: utf8(a.model) } : {}),
    vendorPatchLevel: a.vendorPatchLevel,
    bootPatchLevel: a.bootPatchLevel,
  });
  const software = new AuthorizationList({
    creationDateTime: Date.now(),
    attestationApplicationId: octets(new Uint8Array(AsnSerializer.serialize(appId))),
  });
  const kd = new KeyDescription({
    attestationVersion: 200,
    attestationSecurityLevel: level,
    keymasterVersion: 200,
    keymasterSecurityLevel: level,
    attestationChallenge: octets(a.challenge),
    uniqueId: new OctetString(new ArrayBuffer(0)),
    // A software attestation has nothing hardware-enforced: its facts are all in the software list.
    softwareEnforced:
      level === 0 ? new AuthorizationList({ ...defined(hardware), ...defined(software) }) : software,
    teeEnforced: level === 0 ? new AuthorizationList() : hardware,
  });
  return new Uint8Array(AsnSerializer.serialize(kd));
}

/** A chain as a handset sends it (leaf, batch intermediate, lab root), PEM and DER, plus the leaf's keys. */
export async function labAttestationChain(
  root: LabAttestationRoot,
  a: LabAttestation,
  /** The key to attest (re-attestation of a key the handset holds); default: a new one. */
  key?: CryptoKeyPair,
): Promise<{ pem: string; ders: Uint8Array[]; leafKeys: CryptoKeyPair }> {
  const notBefore = a.notBefore ?? new Date(Date.now() - DAY);
  const notAfter = a.notAfter ?? new Date(Date.now() + 365 * DAY);
  const batchKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const batch = await X509CertificateGenerator.create({
    serialNumber: a.intermediateSerial ?? '0badc0de',
    subject: 'CN=Pakawaaz Lab Attestation Batch',
    issuer: root.cert.subject,
    notBefore,
    notAfter,
    publicKey: batchKeys.publicKey,
    signingKey: root.keys.privateKey,
    signingAlgorithm: SIGN,
    extensions: [
      new BasicConstraintsExtension(a.intermediateIsCa ?? true, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign, true),
    ],
  });
  const leafKeys = key ?? (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']));
  const leaf = await X509CertificateGenerator.create({
    serialNumber: '01',
    subject: 'CN=Android Keystore Key',
    issuer: batch.subject,
    notBefore,
    notAfter,
    publicKey: leafKeys.publicKey,
    signingKey: batchKeys.privateKey,
    signingAlgorithm: SIGN,
    extensions: [
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
      new Extension(id_ce_keyDescription, false, buf(labKeyDescription(a))),
    ],
  });
  const certs = [leaf, batch, root.cert];
  return {
    pem: certs.map(pemOf).join('\n'),
    ders: certs.map((c) => new Uint8Array(c.rawData)),
    leafKeys,
  };
}

/**
 * The forgery an unlocked handset's owner can make: a genuine chain for a non-CA signing key the Keystore
 * attested (`genuine`, e.g. unlocked), and above it a hand-made certificate signed by that key, carrying a
 * KeyDescription with whatever facts it likes (`claimed`). Leaf first: forged, genuine key, batch, root.
 */
export async function forgedLabAttestationChain(
  root: LabAttestationRoot,
  genuine: LabAttestation,
  claimed: LabAttestation,
): Promise<{ pem: string }> {
  const real = await labAttestationChain(root, genuine);
  const attested = new X509Certificate(buf(real.ders[0]!));
  const forgedKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const forged = await X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=Android Keystore Key',
    issuer: attested.subject,
    notBefore: attested.notBefore,
    notAfter: attested.notAfter,
    publicKey: forgedKeys.publicKey,
    signingKey: real.leafKeys.privateKey,
    signingAlgorithm: SIGN,
    extensions: [
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
      new Extension(id_ce_keyDescription, false, buf(labKeyDescription(claimed))),
    ],
  });
  return { pem: [pemOf(forged), real.pem].join('\n') };
}
