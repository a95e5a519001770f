import { decodeExternalSender, type GroupInfo } from 'ts-mls';
import { ratchetTreeFromExtension, verifyGroupInfoSignature } from 'ts-mls/groupInfo.js';
import { treeHashRoot } from 'ts-mls/treeHash.js';
import { checkSignatureKeyIsCertificateKey, x509Certificates } from './credential.js';
import { decodeWhole } from './decode.js';
import { MLS_LIMITS, MlsInputError } from './errors.js';
import { CHAT_CIPHERSUITE, chatSuite } from './suite.js';

export type GroupMember = { leafIndex: number; certificates: Uint8Array[]; signatureKey: Uint8Array };

/** What the delivery service knows of a group: its epoch, who is in it, who may propose from outside. */
export type GroupFacts = {
  groupId: Uint8Array;
  epoch: bigint;
  members: GroupMember[];
  /** The `external_senders` of the group context (ts-mls: one extension per sender; index = sender index). */
  externalSenderKeys: Uint8Array[];
  /** The GroupInfo as decoded, for externalRemove. */
  groupInfo: GroupInfo;
};

/**
 * A GroupInfo (RFC 9420 §12.4.3) that carries the `ratchet_tree` extension, checked: the chat suite, a tree
 * whose root hash is the group context's `tree_hash`, every leaf an X.509 credential, and the signature of the
 * signer leaf. Members send it with each commit: it is the server's view of the group.
 */
export async function readGroupInfo(
  bytes: Uint8Array,
  /** At most this many leaves (a commit's next tree: the previous leaves and its adds), checked before hashing. */
  maxLeaves: number = MLS_LIMITS.maxGroupLeaves,
): Promise<GroupFacts> {
  const { groupInfo } = decodeWhole(bytes, MLS_LIMITS.maxGroupInfoBytes, 'GroupInfo', ['mls_group_info']);
  const context = groupInfo.groupContext;
  if (context.cipherSuite !== CHAT_CIPHERSUITE)
    throw new MlsInputError(
      'mls_unsupported',
      `the GroupInfo is for ${context.cipherSuite}; secure chat uses ${CHAT_CIPHERSUITE}`,
    );
  let tree;
  try {
    tree = ratchetTreeFromExtension(groupInfo);
  } catch {
    throw new MlsInputError('mls_malformed', 'the GroupInfo ratchet_tree extension does not decode');
  }
  if (!tree)
    throw new MlsInputError(
      'mls_malformed',
      'the GroupInfo lacks the ratchet_tree extension (RFC 9420 §12.4.3.3)',
    );
  if (tree.length > 2 * MLS_LIMITS.maxGroupLeaves - 1)
    throw new MlsInputError(
      'mls_too_large',
      `the GroupInfo's ratchet tree has ${tree.length} nodes; a group has at most ${MLS_LIMITS.maxGroupLeaves} members`,
    );
  if ((tree.length + 1) / 2 > maxLeaves)
    throw new MlsInputError(
      'mls_commit_mismatch',
      `the GroupInfo's ratchet tree has more leaves than the tree the commit makes (${maxLeaves})`,
    );
  if (context.groupId.length === 0 || context.groupId.length > MLS_LIMITS.maxGroupIdBytes)
    throw new MlsInputError('mls_malformed', `a group id is 1 to ${MLS_LIMITS.maxGroupIdBytes} bytes`);
  const cs = await chatSuite();
  if (!Buffer.from(await treeHashRoot(tree, cs.hash)).equals(Buffer.from(context.treeHash)))
    throw new MlsInputError(
      'mls_malformed',
      "the GroupInfo's ratchet tree is not the one its group context names",
    );
  const members: GroupMember[] = [];
  for (let node = 0; node < tree.length; node += 2) {
    const n = tree[node];
    if (n?.nodeType !== 'leaf') continue;
    const certificates = x509Certificates(n.leaf.credential, 'group member');
    // RFC 9420 §5.3.1: a leaf signs with its certificate's key (else a leaf could claim another's device).
    checkSignatureKeyIsCertificateKey(certificates[0]!, n.leaf.signaturePublicKey, `leaf ${node / 2}`);
    members.push({ leafIndex: node / 2, certificates, signatureKey: n.leaf.signaturePublicKey });
  }
  const signer = members.find((m) => m.leafIndex === groupInfo.signer);
  if (!signer) throw new MlsInputError('mls_malformed', 'the GroupInfo signer is not a member');
  if (!(await verifyGroupInfoSignature(groupInfo, signer.signatureKey, cs.signature)))
    throw new MlsInputError('mls_bad_signature', 'the GroupInfo signature does not verify');
  const externalSenderKeys = context.extensions.flatMap((e) => {
    if (e.extensionType !== 'external_senders') return [];
    const decoded = decodeExternalSender(e.extensionData, 0);
    if (!decoded) throw new MlsInputError('mls_malformed', 'an external_senders extension does not decode');
    return [decoded[0].signaturePublicKey];
  });
  return { groupId: context.groupId, epoch: context.epoch, members, externalSenderKeys, groupInfo };
}
