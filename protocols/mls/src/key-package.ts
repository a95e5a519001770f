import { verifyLeafNodeSignatureKeyPackage } from 'ts-mls/leafNode.js';
import { makeKeyPackageRef, verifyKeyPackage } from 'ts-mls/keyPackage.js';
import { extensionTypeToNumber } from 'ts-mls/extension.js';
import { checkSignatureKeyIsCertificateKey, x509Certificates } from './credential.js';
import { decodeWhole } from './decode.js';
import { MLS_LIMITS, MlsInputError } from './errors.js';
import { CHAT_CIPHERSUITE, chatSuite } from './suite.js';

/** The `last_resort` KeyPackage extension (IANA MLS Extension Types 0x000A, draft-ietf-mls-extensions). */
export const LAST_RESORT_EXTENSION = 0x000a;

/** What the delivery service keeps of a KeyPackage besides its bytes. */
export type KeyPackageFacts = {
  /** KeyPackageRef (RFC 9420 §5.2): how a Welcome names the KeyPackage it was made for. */
  ref: Uint8Array;
  /** DER, `certificates[0]` the device certificate. */
  certificates: Uint8Array[];
  signatureKey: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** Carries the last_resort extension (may be used more than once). */
  lastResort: boolean;
};

/**
 * A KeyPackage (RFC 9420 §10.1) checked as far as the bytes allow: one whole `mls_key_package` message of the
 * chat suite, an X.509 credential whose end-entity key is the signature key, both signatures (KeyPackage and
 * its LeafNode) valid, init key distinct from the leaf's encryption key. Whether the certificate is a live
 * device certificate, and whose, is the caller's question.
 */
export async function readKeyPackage(bytes: Uint8Array): Promise<KeyPackageFacts> {
  const { keyPackage: kp } = decodeWhole(bytes, MLS_LIMITS.maxKeyPackageBytes, 'KeyPackage', [
    'mls_key_package',
  ]);
  if (kp.cipherSuite !== CHAT_CIPHERSUITE)
    throw new MlsInputError(
      'mls_unsupported',
      `the KeyPackage is for ${kp.cipherSuite}; secure chat uses ${CHAT_CIPHERSUITE}`,
    );
  const leaf = kp.leafNode;
  const certificates = x509Certificates(leaf.credential, 'KeyPackage');
  checkSignatureKeyIsCertificateKey(certificates[0]!, leaf.signaturePublicKey, 'KeyPackage');
  if (Buffer.from(kp.initKey).equals(Buffer.from(leaf.hpkePublicKey)))
    throw new MlsInputError('mls_malformed', 'the KeyPackage init key is its leaf encryption key');
  const cs = await chatSuite();
  const signed =
    (await verifyKeyPackage(kp, cs.signature)) &&
    (await verifyLeafNodeSignatureKeyPackage(leaf, cs.signature));
  if (!signed) throw new MlsInputError('mls_bad_signature', 'the KeyPackage signature does not verify');
  return {
    ref: await makeKeyPackageRef(kp, cs.hash),
    certificates,
    signatureKey: leaf.signaturePublicKey,
    notBefore: seconds(leaf.lifetime.notBefore),
    notAfter: seconds(leaf.lifetime.notAfter),
    lastResort: kp.extensions.some((e) => extensionTypeToNumber(e.extensionType) === LAST_RESORT_EXTENSION),
  };
}

function seconds(s: bigint): Date {
  // Lifetimes are uint64 seconds; anything past year 9999 is "forever" here.
  return new Date(Number(s > 253402300799n ? 253402300799n : s) * 1000);
}
