import {
  readGroupInfo as readGroupInfoBytes,
  type GroupFacts,
  type KeyPackageFacts,
  type MessageFacts,
} from '@pakawaaz/mls';
import { p256 } from '@noble/curves/nist.js';

/**
 * What the delivery service reads of MLS bytes (RFC 9420), behind one module: `@pakawaaz/mls` reads them
 * (bounded, signatures and certificate keys checked); this adds only the server's normalisation of keys.
 */
export {
  CHAT_CIPHERSUITE,
  MLS_LIMITS,
  MlsInputError,
  readKeyPackage,
  readCommitAdds,
  readMessage,
  readWelcome,
  type MlsInputErrorCode,
} from '@pakawaaz/mls';
export type { KeyPackageFacts, MessageFacts };

export type GroupInfoFacts = Pick<GroupFacts, 'groupId' | 'epoch' | 'members'> & {
  /** The external senders' keys, uncompressed (a client may send them compressed). */
  externalSenderKeys: Uint8Array[];
};

/** A P-256 point as its uncompressed encoding; null if it is none. */
export function uncompressedP256(key: Uint8Array): Uint8Array | null {
  try {
    return p256.Point.fromBytes(key).toBytes(false);
  } catch {
    return null;
  }
}

/** A GroupInfo with its ratchet tree: epoch, every leaf's certificates, the external senders; signature verified. */
export async function readGroupInfo(bytes: Uint8Array, maxLeaves?: number): Promise<GroupInfoFacts> {
  const facts = await readGroupInfoBytes(bytes, maxLeaves);
  return {
    groupId: facts.groupId,
    epoch: facts.epoch,
    members: facts.members,
    externalSenderKeys: facts.externalSenderKeys.flatMap((k) => uncompressedP256(k) ?? []),
  };
}
