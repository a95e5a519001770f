import {
  AttestationApplicationId,
  id_ce_keyDescription,
  NonStandardAuthorization,
  NonStandardAuthorizationList,
  type AuthorizationList,
} from '@peculiar/asn1-android';
import { AsnParser, AsnProp, AsnPropTypes, OctetString } from '@peculiar/asn1-schema';
import * as asn1js from 'asn1js';
import type { Certificate } from 'pkijs';
import { BoundedMemo } from './cache.js';
import { guardDer } from './der-guard.js';
import { AttestationInputError } from './limits.js';

export type SecurityLevel = 'Software' | 'TrustedEnvironment' | 'StrongBox';
export type VerifiedBootState = 'Verified' | 'SelfSigned' | 'Unverified' | 'Failed';
/** KeyMint `KeyOrigin` (Tag::ORIGIN). */
export type KeyOrigin = 'Generated' | 'Derived' | 'Imported' | 'Reserved' | 'SecurelyImported';

/** What the leaf's KeyDescription (OID 1.3.6.1.4.1.11129.2.1.17) says; byte strings as lower-case hex. */
export type AttestationFacts = {
  attestationVersion: number;
  attestationSecurityLevel: SecurityLevel;
  keymasterVersion: number;
  keymasterSecurityLevel: SecurityLevel;
  attestationChallenge: string;
  /**
   * The hardware-enforced root of trust; null when the authorization list enforced at the attestation's
   * security level carries none (a software attestation, or a device that does not report it).
   */
  rootOfTrust: {
    verifiedBootKey: string;
    deviceLocked: boolean;
    verifiedBootState: VerifiedBootState;
  } | null;
  /** Integers as encoded: osVersion e.g. 90000, patch levels YYYYMM (os) or YYYYMMDD (vendor, boot). */
  osVersion: number | null;
  osPatchLevel: number | null;
  vendorPatchLevel: number | null;
  bootPatchLevel: number | null;
  origin: KeyOrigin | null;
  attestationApplicationId: {
    packages: { name: string; version: number }[];
    signatureDigests: string[];
  } | null;
  /** Device identifiers the hardware attested (IMEI, serial…), when the device was asked to include them. */
  attestedIds: {
    imei?: string;
    secondImei?: string;
    meid?: string;
    serial?: string;
    brand?: string;
    device?: string;
    product?: string;
    manufacturer?: string;
    model?: string;
  };
};

const LEVELS: Record<number, SecurityLevel> = { 0: 'Software', 1: 'TrustedEnvironment', 2: 'StrongBox' };
const BOOT_STATES: Record<number, VerifiedBootState> = {
  0: 'Verified',
  1: 'SelfSigned',
  2: 'Unverified',
  3: 'Failed',
};
const ORIGINS: Record<number, KeyOrigin> = {
  0: 'Generated',
  1: 'Derived',
  2: 'Imported',
  3: 'Reserved',
  4: 'SecurelyImported',
};

/**
 * The bytes of an OCTET STRING as the schemas hand it over: an OctetString object, or a bare ArrayBuffer
 * where a schema declares the primitive type (AttestationPackageInfo.packageName) despite its typing.
 */
function bytes(v: unknown): Uint8Array {
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const inner = (v as { buffer?: unknown } | null)?.buffer;
  if (inner instanceof ArrayBuffer) return new Uint8Array(inner);
  throw new AttestationInputError('KEY_DESCRIPTION_MALFORMED', 'an OCTET STRING did not decode');
}
const hex = (v: unknown): string => Buffer.from(bytes(v)).toString('hex');
const text = (v: unknown): string => Buffer.from(bytes(v)).toString('utf8');

/** An INTEGER as the schemas hand it over: a number, or a decimal string from 4 bytes on. */
function int(v: unknown, field: string): number {
  const n = typeof v === 'string' && /^-?\d{1,16}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n))
    throw new AttestationInputError('KEY_DESCRIPTION_MALFORMED', `${field} is not an integer we can read`);
  return n;
}

function level(n: number, field: string): SecurityLevel {
  const l = LEVELS[n];
  if (!l)
    throw new AttestationInputError('KEY_DESCRIPTION_MALFORMED', `${field} ${n} is not a security level`);
  return l;
}

/** The KeyDescription extension's value (DER), or null if the certificate has none. */
export function keyDescriptionExtension(cert: Certificate): Uint8Array | null {
  const ext = cert.extensions?.find((e) => e.extnID === id_ce_keyDescription);
  return ext ? new Uint8Array(ext.extnValue.valueBlock.valueHexView) : null;
}

/**
 * The ASN.1 tree asn1js already read from the extension's OCTET STRING while parsing the certificate (it
 * decodes encapsulated values, and keeps them only when they fill the whole string), so that the
 * KeyDescription is decoded once per chain; undefined when there is none.
 */
function encapsulated(cert: Certificate, oid: string): asn1js.AsnType | undefined {
  const block = cert.extensions?.find((e) => e.extnID === oid)?.extnValue.valueBlock;
  // A constructed (BER) OCTET STRING holds pieces, not a decoded value: read from its bytes instead.
  return block && !block.isConstructed && block.value.length === 1 ? block.value[0] : undefined;
}

/**
 * @peculiar/asn1-android's NonStandardKeyDescription with its two authorization lists taken as they are: the
 * lists are decoded entry by entry below, with the library's own NonStandardAuthorization schema.
 */
class KeyDescriptionFrame {
  @AsnProp({ type: AsnPropTypes.Integer }) attestationVersion: number | string = 0;
  @AsnProp({ type: AsnPropTypes.Enumerated }) attestationSecurityLevel = 0;
  @AsnProp({ type: AsnPropTypes.Integer }) keymasterVersion: number | string = 0;
  @AsnProp({ type: AsnPropTypes.Enumerated }) keymasterSecurityLevel = 0;
  @AsnProp({ type: OctetString }) attestationChallenge = new OctetString();
  @AsnProp({ type: OctetString }) uniqueId = new OctetString();
  @AsnProp({ type: AsnPropTypes.Any }) softwareEnforced: ArrayBuffer | null = null;
  @AsnProp({ type: AsnPropTypes.Any }) teeEnforced: ArrayBuffer | null = null;
}

/**
 * Authorization list entries, by their exact DER: a batch's keys repeat most of them (purpose, algorithm,
 * key size, root of trust, OS version and patch levels, the application id), and decoding an entry against
 * the CHOICE of every tag is most of a KeyDescription's cost. Entries above a size are not kept.
 */
const entries = new BoundedMemo<NonStandardAuthorization>(4_096);
const MEMO_ENTRY_BYTES = 512;

function authorizationList(node: asn1js.AsnType | undefined, field: string): NonStandardAuthorizationList {
  const id = node?.idBlock;
  if (!node || !(node instanceof asn1js.Sequence) || !id || id.tagClass !== 1 || id.tagNumber !== 16)
    throw new Error(`${field} is not a SEQUENCE`);
  const decode = (entry: asn1js.AsnType) => AsnParser.fromASN(entry, NonStandardAuthorization);
  return new NonStandardAuthorizationList(
    node.valueBlock.value.map((entry) => {
      const der = entry.valueBeforeDecodeView;
      if (der.byteLength > MEMO_ENTRY_BYTES) return decode(entry);
      return entries.get(Buffer.from(der).toString('base64'), () => decode(entry));
    }),
  );
}

/** The tree of `der`: the one already read from these bytes, else read now. */
function tree(der: Uint8Array, given: asn1js.AsnType | undefined): asn1js.AsnType {
  if (given) return given;
  const read = asn1js.fromBER(der);
  if (read.result.error) throw new Error(read.result.error);
  return read.result;
}

function malformed(what: string, err: unknown): AttestationInputError {
  return new AttestationInputError(
    'KEY_DESCRIPTION_MALFORMED',
    `${what} does not decode: ${err instanceof Error ? err.message : String(err)}`,
  );
}

type KeyDescription = Omit<KeyDescriptionFrame, 'softwareEnforced' | 'teeEnforced'> & {
  softwareEnforced: NonStandardAuthorizationList;
  teeEnforced: NonStandardAuthorizationList;
};

function keyDescription(der: Uint8Array, given: asn1js.AsnType | undefined): KeyDescription {
  const what = 'the KeyDescription';
  guardDer(der, what);
  try {
    const node = tree(der, given);
    const frame = AsnParser.fromASN(node, KeyDescriptionFrame);
    const [software, tee] = (node as asn1js.Sequence).valueBlock.value.slice(6, 8);
    return {
      ...frame,
      softwareEnforced: authorizationList(software, 'softwareEnforced'),
      teeEnforced: authorizationList(tee, 'teeEnforced'),
    };
  } catch (err) {
    throw malformed(what, err);
  }
}

function parse<T>(der: Uint8Array, type: new () => T, what: string): T {
  guardDer(der, what);
  try {
    return AsnParser.parse(der, type);
  } catch (err) {
    throw malformed(what, err);
  }
}

type ApplicationId = NonNullable<AttestationFacts['attestationApplicationId']>;
/** Decoded application ids by their exact DER: every key our agent makes carries the same one. */
const applicationIds = new BoundedMemo<ApplicationId>(256);

/** The attestationApplicationId's packages and signing-certificate digests (a fresh copy for each chain). */
function applicationId(der: Uint8Array): ApplicationId {
  guardDer(der, 'attestationApplicationId');
  const id = applicationIds.get(Buffer.from(der).toString('base64'), () => {
    const appId = parse(der, AttestationApplicationId, 'attestationApplicationId');
    return {
      packages: appId.packageInfos.map((p) => ({
        name: text(p.packageName),
        version: int(p.version, 'version'),
      })),
      signatureDigests: appId.signatureDigests.map((d) => hex(d)),
    };
  });
  return { packages: id.packages.map((p) => ({ ...p })), signatureDigests: [...id.signatureDigests] };
}

/** Parses the leaf's KeyDescription. Throws AttestationInputError if it is missing or malformed. */
export function attestationFacts(leaf: Certificate): AttestationFacts {
  const der = keyDescriptionExtension(leaf);
  if (!der)
    throw new AttestationInputError(
      'NO_KEY_DESCRIPTION',
      'the first certificate carries no Android key attestation extension (1.3.6.1.4.1.11129.2.1.17)',
    );
  const kd = keyDescription(der, encapsulated(leaf, id_ce_keyDescription));
  const attestationSecurityLevel = level(kd.attestationSecurityLevel, 'attestationSecurityLevel');
  // Hardware-backed facts come from the hardware-enforced list; a software attestation has only the other.
  const enforced: NonStandardAuthorizationList =
    attestationSecurityLevel === 'Software' ? kd.softwareEnforced : kd.teeEnforced;
  const find = <K extends keyof AuthorizationList>(k: K) => enforced.findProperty(k);
  const num = (k: 'osVersion' | 'osPatchLevel' | 'vendorPatchLevel' | 'bootPatchLevel' | 'origin') => {
    const v: unknown = find(k);
    return v === undefined ? null : int(v, k);
  };
  const rot = find('rootOfTrust');
  let rootOfTrust: AttestationFacts['rootOfTrust'] = null;
  if (rot) {
    const state = BOOT_STATES[rot.verifiedBootState];
    if (!state)
      throw new AttestationInputError(
        'KEY_DESCRIPTION_MALFORMED',
        `verifiedBootState ${rot.verifiedBootState} is not a boot state`,
      );
    rootOfTrust = {
      verifiedBootKey: hex(rot.verifiedBootKey),
      deviceLocked: rot.deviceLocked,
      verifiedBootState: state,
    };
  }
  // The application id is always software-enforced (the OS, not the TEE, knows the calling package).
  const appIdDer = kd.softwareEnforced.findProperty('attestationApplicationId');
  const attestationApplicationId = appIdDer ? applicationId(bytes(appIdDer)) : null;
  const origin = num('origin');
  const ids: AttestationFacts['attestedIds'] = {};
  const ID_TAGS = {
    imei: 'attestationIdImei',
    secondImei: 'attestationIdSecondImei',
    meid: 'attestationIdMeid',
    serial: 'attestationIdSerial',
    brand: 'attestationIdBrand',
    device: 'attestationIdDevice',
    product: 'attestationIdProduct',
    manufacturer: 'attestationIdManufacturer',
    model: 'attestationIdModel',
  } as const;
  for (const [name, tag] of Object.entries(ID_TAGS) as [
    keyof typeof ID_TAGS,
    (typeof ID_TAGS)[keyof typeof ID_TAGS],
  ][]) {
    const v = find(tag);
    if (v) ids[name] = text(v);
  }
  return {
    attestationVersion: int(kd.attestationVersion, 'attestationVersion'),
    attestationSecurityLevel,
    keymasterVersion: int(kd.keymasterVersion, 'keymasterVersion'),
    keymasterSecurityLevel: level(kd.keymasterSecurityLevel, 'keymasterSecurityLevel'),
    attestationChallenge: hex(kd.attestationChallenge),
    rootOfTrust,
    osVersion: num('osVersion'),
    osPatchLevel: num('osPatchLevel'),
    vendorPatchLevel: num('vendorPatchLevel'),
    bootPatchLevel: num('bootPatchLevel'),
    origin: origin === null ? null : (ORIGINS[origin] ?? null),
    attestationApplicationId,
    attestedIds: ids,
  };
}
