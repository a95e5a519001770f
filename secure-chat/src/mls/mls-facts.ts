import { X509Certificate } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { getCiphersuiteFromName, getCiphersuiteImpl, type CiphersuiteImpl } from 'ts-mls';
import { decodeVarLenType } from 'ts-mls/codec/variableLength.js';
import { decodeExternalSender, type ExternalSender } from 'ts-mls/externalSender.js';
import { ratchetTreeFromExtension, verifyGroupInfoSignature } from 'ts-mls/groupInfo.js';
import { makeKeyPackageRef, verifyKeyPackage } from 'ts-mls/keyPackage.js';
import { decodeMlsMessage, type MLSMessage } from 'ts-mls/message.js';

/**
 * What the delivery service reads of MLS bytes (RFC 9420), behind one module: `@pakawaaz/mls` will offer the
 * same calls (readMessage, readKeyPackage, readGroupInfo, readWelcome), and this file is then the only one to
 * change. Pure: bytes in, facts out, MlsInputError for anything the server must refuse.
 */
export const CHAT_CIPHERSUITE = 'MLS_128_DHKEMP256_AES128GCM_SHA256_P256' as const;

export const MLS_LIMITS = {
  maxMessageBytes: 262144,
  maxKeyPackageBytes: 16384,
  maxGroupInfoBytes: 1048576,
  maxKeyPackagesPerUpload: 50,
} as const;

export type MlsInputErrorCode = 'mls_malformed' | 'mls_too_large' | 'mls_unsupported' | 'mls_bad_signature';

export class MlsInputError extends Error {
  constructor(
    readonly code: MlsInputErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MlsInputError';
  }
}

export type MessageFacts = {
  wireformat: 'public_message' | 'private_message';
  groupId: Uint8Array;
  epoch: bigint;
  contentType: 'application' | 'proposal' | 'commit';
  sender?:
    | { type: 'member'; leafIndex: number }
    | { type: 'external' | 'new_member_proposal' | 'new_member_commit' };
};

export type KeyPackageFacts = {
  ref: Uint8Array;
  certificates: Uint8Array[];
  signatureKey: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  lastResort: boolean;
};

export type GroupInfoFacts = {
  groupId: Uint8Array;
  epoch: bigint;
  members: { leafIndex: number; certificates: Uint8Array[] }[];
  externalSenderKeys: Uint8Array[];
};

/** Lifetimes beyond 9999-12-31 (RFC 9420 allows up to 2^64-1 seconds) read as that date. */
const MAX_SECONDS = 253402300799n;
const lifetimeDate = (seconds: bigint) =>
  new Date(Number(seconds > MAX_SECONDS ? MAX_SECONDS : seconds) * 1000);

/** RFC 9420 §17.3 last_resort extension (draft-ietf-mls-extensions); type 0x000A. */
const LAST_RESORT_EXTENSION = 10;

let suite: Promise<CiphersuiteImpl> | undefined;
const chatSuite = () => (suite ??= getCiphersuiteImpl(getCiphersuiteFromName(CHAT_CIPHERSUITE)));

function decode(bytes: Uint8Array, max: number, what: string): MLSMessage {
  if (bytes.length > max)
    throw new MlsInputError('mls_too_large', `The ${what} is ${bytes.length} bytes; the limit is ${max}.`);
  let decoded: [MLSMessage, number] | undefined;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch {
    decoded = undefined;
  }
  if (!decoded || decoded[1] !== bytes.length)
    throw new MlsInputError('mls_malformed', `The ${what} is not a TLS-encoded MLSMessage.`);
  if (decoded[0].version !== 'mls10')
    throw new MlsInputError('mls_unsupported', 'Only MLS 1.0 is supported.');
  return decoded[0];
}

/** A handshake or application message as the delivery service sees it: group, epoch, content type. */
export function readMessage(bytes: Uint8Array): MessageFacts {
  const m = decode(bytes, MLS_LIMITS.maxMessageBytes, 'message');
  if (m.wireformat === 'mls_private_message') {
    const p = m.privateMessage;
    return { wireformat: 'private_message', groupId: p.groupId, epoch: p.epoch, contentType: p.contentType };
  }
  if (m.wireformat === 'mls_public_message') {
    const c = m.publicMessage.content;
    const s = c.sender;
    return {
      wireformat: 'public_message',
      groupId: c.groupId,
      epoch: c.epoch,
      contentType: c.contentType,
      sender: s.senderType === 'member' ? { type: 'member', leafIndex: s.leafIndex } : { type: s.senderType },
    };
  }
  throw new MlsInputError('mls_malformed', `Expected a public or private message, got ${m.wireformat}.`);
}

/** The uncompressed P-256 point (0x04 || x || y) of a certificate's key; null if it is not P-256. */
export function certificateP256Key(der: Uint8Array): Uint8Array | null {
  try {
    const jwk = new X509Certificate(der).publicKey.export({ format: 'jwk' });
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) return null;
    return new Uint8Array(
      Buffer.concat([Buffer.of(4), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]),
    );
  } catch {
    return null;
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** A P-256 point as its uncompressed encoding (a signature key may come compressed); null if it is none. */
export function uncompressedP256(key: Uint8Array): Uint8Array | null {
  try {
    return p256.Point.fromBytes(key).toBytes(false);
  } catch {
    return null;
  }
}

/** ExternalSender entries: RFC 9420's vector, or the single entry ts-mls 1.6 writes. */
function externalSenders(data: Uint8Array): ExternalSender[] | null {
  const attempt = <T>(read: () => [T, number] | undefined): T | null => {
    try {
      const r = read();
      return r && r[1] === data.length ? r[0] : null;
    } catch {
      return null;
    }
  };
  const vector = attempt(() => decodeVarLenType(decodeExternalSender)(data, 0));
  if (vector) return vector;
  const single = attempt(() => decodeExternalSender(data, 0));
  return single ? [single] : null;
}

/** A KeyPackage: suite, X.509 credential bound to its signature key, signature verified, its ref. */
export async function readKeyPackage(bytes: Uint8Array): Promise<KeyPackageFacts> {
  const m = decode(bytes, MLS_LIMITS.maxKeyPackageBytes, 'KeyPackage');
  if (m.wireformat !== 'mls_key_package')
    throw new MlsInputError('mls_malformed', `Expected a KeyPackage, got ${m.wireformat}.`);
  const kp = m.keyPackage;
  if (kp.cipherSuite !== CHAT_CIPHERSUITE)
    throw new MlsInputError('mls_unsupported', `Only ${CHAT_CIPHERSUITE} is accepted.`);
  const leaf = kp.leafNode;
  if (leaf.credential.credentialType !== 'x509' || leaf.credential.certificates.length === 0)
    throw new MlsInputError('mls_unsupported', 'The credential must be X.509 (the device certificate).');
  const certKey = certificateP256Key(leaf.credential.certificates[0]!);
  const leafKey = uncompressedP256(leaf.signaturePublicKey);
  if (!certKey || !leafKey || !sameBytes(certKey, leafKey))
    throw new MlsInputError('mls_bad_signature', "The signature key is not the certificate's key.");
  const cs = await chatSuite();
  if (!(await verifyKeyPackage(kp, cs.signature).catch(() => false)))
    throw new MlsInputError('mls_bad_signature', 'The KeyPackage signature does not verify.');
  return {
    ref: await makeKeyPackageRef(kp, cs.hash),
    certificates: leaf.credential.certificates,
    signatureKey: leafKey,
    notBefore: lifetimeDate(leaf.lifetime.notBefore),
    notAfter: lifetimeDate(leaf.lifetime.notAfter),
    lastResort: kp.extensions.some((e) => e.extensionType === LAST_RESORT_EXTENSION),
  };
}

/** A GroupInfo with its ratchet tree: epoch, every leaf's certificates, the external senders; signature verified. */
export async function readGroupInfo(bytes: Uint8Array): Promise<GroupInfoFacts> {
  const m = decode(bytes, MLS_LIMITS.maxGroupInfoBytes, 'GroupInfo');
  if (m.wireformat !== 'mls_group_info')
    throw new MlsInputError('mls_malformed', `Expected a GroupInfo, got ${m.wireformat}.`);
  const gi = m.groupInfo;
  if (gi.groupContext.cipherSuite !== CHAT_CIPHERSUITE)
    throw new MlsInputError('mls_unsupported', `Only ${CHAT_CIPHERSUITE} is accepted.`);
  let tree;
  try {
    tree = ratchetTreeFromExtension(gi);
  } catch {
    tree = undefined;
  }
  if (!tree) throw new MlsInputError('mls_malformed', 'The GroupInfo must carry the ratchet_tree extension.');
  const members: GroupInfoFacts['members'] = [];
  for (let i = 0; i < tree.length; i += 2) {
    const node = tree[i];
    if (node?.nodeType !== 'leaf') continue;
    const cred = node.leaf.credential;
    if (cred.credentialType !== 'x509' || cred.certificates.length === 0)
      throw new MlsInputError('mls_unsupported', `Leaf ${i / 2}'s credential is not X.509.`);
    members.push({ leafIndex: i / 2, certificates: cred.certificates });
  }
  const signer = tree[gi.signer * 2];
  if (signer?.nodeType !== 'leaf')
    throw new MlsInputError('mls_malformed', 'The GroupInfo signer is not a leaf of its tree.');
  const cs = await chatSuite();
  const verified = await verifyGroupInfoSignature(gi, signer.leaf.signaturePublicKey, cs.signature).catch(
    () => false,
  );
  if (!verified) throw new MlsInputError('mls_bad_signature', 'The GroupInfo signature does not verify.');
  const externalSenderKeys: Uint8Array[] = [];
  for (const ext of gi.groupContext.extensions) {
    if (ext.extensionType !== 'external_senders') continue;
    const senders = externalSenders(ext.extensionData);
    if (!senders) throw new MlsInputError('mls_malformed', 'The external_senders extension is malformed.');
    for (const s of senders) {
      const key = uncompressedP256(s.signaturePublicKey);
      if (key) externalSenderKeys.push(key);
    }
  }
  return { groupId: gi.groupContext.groupId, epoch: gi.groupContext.epoch, members, externalSenderKeys };
}

/** A Welcome: the KeyPackages (refs) it is for. */
export function readWelcome(bytes: Uint8Array): { keyPackageRefs: Uint8Array[] } {
  const m = decode(bytes, MLS_LIMITS.maxGroupInfoBytes, 'Welcome');
  if (m.wireformat !== 'mls_welcome')
    throw new MlsInputError('mls_malformed', `Expected a Welcome, got ${m.wireformat}.`);
  if (m.welcome.cipherSuite !== CHAT_CIPHERSUITE)
    throw new MlsInputError('mls_unsupported', `Only ${CHAT_CIPHERSUITE} is accepted.`);
  return { keyPackageRefs: m.welcome.secrets.map((s) => s.newMember) };
}
