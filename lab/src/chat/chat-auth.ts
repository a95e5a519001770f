import { X509Certificate } from 'node:crypto';
import type { AuthenticationService, Credential } from 'ts-mls';
import { certificatePoint } from './device-key.js';

/**
 * Who a leaf is, read from its device certificate (CN = device id; SAN URIs name device and official). An
 * e-Office bot's certificate names the bot instead (`urn:pakawaaz:bot:<id>`): its id is device and user both.
 */
export type DeviceIdentity = { deviceId: string; userId: string | null; serial: string; bot?: true };

export type ChatTrust = {
  /** The device CA certificates (DER) a member's certificate must be issued by: the pinned anchors. */
  deviceCaDers: readonly Uint8Array[];
  /**
   * Signature keys of the server's external sender, fetched over the device's mutual-TLS session
   * (`GET …/external-sender`): a group's `external_senders` entry must be one of these.
   */
  externalSenderKeys?: readonly Uint8Array[];
  now?: () => Date;
};

const MAX_CHAIN = 4;
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.from(a).equals(b);

function parse(der: Uint8Array): X509Certificate | null {
  try {
    return new X509Certificate(der);
  } catch {
    return null;
  }
}

const identities = new WeakMap<Uint8Array, DeviceIdentity | null>();

/** The identity a device certificate names (cached per certificate buffer), or null when it is not one. */
export function identityOf(credential: Credential): DeviceIdentity | null {
  if (credential.credentialType !== 'x509') return null;
  const der = credential.certificates[0];
  if (!der) return null;
  let id = identities.get(der);
  if (id === undefined) identities.set(der, (id = readIdentity(der)));
  return id;
}

function readIdentity(der: Uint8Array): DeviceIdentity | null {
  const cert = parse(der);
  if (!cert) return null;
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1] ?? null;
  const uris = (cert.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('URI:'));
  const uri = (prefix: string) =>
    uris
      .map((u) => u.slice(4))
      .find((u) => u.startsWith(prefix))
      ?.slice(prefix.length) ?? null;
  const bot = uri('urn:pakawaaz:bot:');
  const deviceId = uri('urn:pakawaaz:device:') ?? bot ?? cn;
  if (!deviceId) return null;
  const serial = cert.serialNumber.toLowerCase();
  if (bot) return { deviceId, userId: bot, serial, bot: true };
  return { deviceId, userId: uri('urn:pakawaaz:user:'), serial };
}

/**
 * The client's MLS authentication service (RFC 9420 §5.3.1): a member's credential is X.509, its first
 * certificate is issued by a pinned device CA, valid now, and its key is the leaf's signature key. The
 * server's external sender is accepted only under a pinned key. Revocation is the server's part: it refuses
 * revoked certificates and proposes Remove for their leaves.
 */
export function chatAuthenticationService(trust: ChatTrust): AuthenticationService {
  const anchors = trust.deviceCaDers.map((d) => {
    const c = parse(d);
    if (!c || !c.ca) throw new Error('a device CA anchor is not a CA certificate');
    return c;
  });
  const now = trust.now ?? (() => new Date());
  return {
    validateCredential: (credential, signaturePublicKey) =>
      Promise.resolve(valid(credential, signaturePublicKey)),
  };
  function valid(credential: Credential, signaturePublicKey: Uint8Array): boolean {
    if (trust.externalSenderKeys?.some((k) => sameBytes(k, signaturePublicKey))) return true;
    if (credential.credentialType !== 'x509') return false;
    if (credential.certificates.length === 0 || credential.certificates.length > MAX_CHAIN) return false;
    const leaf = parse(credential.certificates[0]!);
    if (!leaf || leaf.ca) return false;
    const t = now().getTime();
    if (t < Date.parse(leaf.validFrom) || t > Date.parse(leaf.validTo)) return false;
    const issuer = anchors.find((a) => leaf.checkIssued(a) && leaf.verify(a.publicKey));
    if (!issuer) return false;
    try {
      return sameBytes(certificatePoint(leaf), signaturePublicKey);
    } catch {
      return false;
    }
  }
}
