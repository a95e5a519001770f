import type { ClientState, Commit, GroupContext, RatchetTree } from 'ts-mls';
import { makeProposalRef } from 'ts-mls/authenticatedContent.js';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { applyProposals, nextEpochContext, validateLeafNodeUpdateOrCommit } from 'ts-mls/clientState.js';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import { verifyFramedContentSignature } from 'ts-mls/framedContent.js';
import { encodeGroupContext } from 'ts-mls/groupContext.js';
import { ratchetTreeFromExtension } from 'ts-mls/groupInfo.js';
import { treeHashRoot } from 'ts-mls/treeHash.js';
import { toLeafIndex } from 'ts-mls/treemath.js';
import { applyUpdatePath } from 'ts-mls/updatePath.js';
import { bytesToBase64 } from 'ts-mls/util/byteArray.js';
import { decodeWhole } from './decode.js';
import { MLS_LIMITS, MlsInputError } from './errors.js';
import { readGroupInfo, type GroupFacts } from './group-info.js';
import { chatSuite } from './suite.js';

/** The next epoch's GroupInfo, read and checked against the commit it follows. */
export type CheckedCommit = GroupFacts & {
  committerLeaf: number;
  /** The KeyPackageRefs of the commit's Adds (RFC 9420 §5.2): whom its Welcome must be addressed to. */
  addedKeyPackageRefs: Uint8Array[];
  /** The leaves the commit's Adds fill in the next tree (their devices get the Welcome). */
  addedLeaves: number[];
};

const mismatch = (why: string) => new MlsInputError('mls_commit_mismatch', why);
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/**
 * What a delivery service can check of a commit and the GroupInfo a member sends with it (RFC 9420 §12.4):
 * the commit is a PublicMessage by a member of the current epoch (`previous`, the GroupInfo the server holds),
 * signed by that member's leaf; its proposals — by value, or by reference to one of `proposals` (the
 * PublicMessage proposals of this epoch the server holds: its own external Removes) — and its UpdatePath are
 * applied to the previous tree with ts-mls, and the next GroupContext is computed (epoch + 1, the new tree's
 * hash, the confirmed transcript hash over this very commit). The GroupInfo must carry exactly that context,
 * be signed by the committer's leaf and carry the commit's confirmation tag; its tree hashes to that context's
 * tree_hash (readGroupInfo), so it is the tree the commit makes, leaf for leaf. Crypto only: run it off the loop.
 */
export async function checkCommit(
  previous: Uint8Array,
  commit: Uint8Array,
  next: Uint8Array,
  proposals: readonly Uint8Array[] = [],
): Promise<CheckedCommit> {
  const before = decodeWhole(previous, MLS_LIMITS.maxGroupInfoBytes, 'GroupInfo', [
    'mls_group_info',
  ]).groupInfo;
  const tree = ratchetTreeFromExtension(before);
  if (!tree) throw new MlsInputError('mls_malformed', 'the stored GroupInfo has no ratchet tree');
  const message = decodeWhole(commit, MLS_LIMITS.maxMessageBytes, 'commit', [
    'mls_public_message',
    'mls_private_message',
  ]);
  if (message.wireformat !== 'mls_public_message')
    throw new MlsInputError(
      'mls_unsupported',
      'a commit must be a PublicMessage: the delivery service checks the next tree against its proposals',
    );
  const { content, auth } = message.publicMessage;
  if (content.contentType !== 'commit' || auth.contentType !== 'commit')
    throw new MlsInputError('mls_malformed', 'the commit does not carry a Commit');
  if (content.sender.senderType !== 'member')
    throw new MlsInputError('mls_unsupported', 'only a member commits (external commits are not accepted)');
  const context = before.groupContext;
  if (content.epoch !== context.epoch || !same(content.groupId, context.groupId))
    throw mismatch("the commit is not for the group's current epoch");
  const committerLeaf = toLeafIndex(content.sender.leafIndex);
  const committer = tree[committerLeaf * 2];
  if (committer?.nodeType !== 'leaf') throw mismatch('the commit names a sender leaf that is blank');
  const cs = await chatSuite();
  const signed = await verifyFramedContentSignature(
    committer.leaf.signaturePublicKey,
    'mls_public_message',
    content,
    auth,
    context,
    cs.signature,
  ).catch(() => false); // a signature that is not DER does not verify either
  if (!signed) throw new MlsInputError('mls_bad_signature', "the commit's signature does not verify");

  refuseUnfollowable(content.commit.proposals);
  const {
    context: applied,
    addedKeyPackageRefs,
    addedLeaves,
    leafCount,
  } = await withMlsErrors(async () => {
    const state = await stateFor(tree, context, proposals, committerLeaf, cs.hash);
    const result = await applyProposals(state, content.commit.proposals, committerLeaf, ANY_PSK, false, cs);
    if (result.additionalResult.kind === 'externalCommit' || result.selfRemoved)
      throw mismatch('a member commit may not remove its committer nor carry an ExternalInit');
    const path = content.commit.path;
    if (result.needsUpdatePath && !path) throw mismatch('this commit needs an UpdatePath');
    const extensions =
      result.additionalResult.kind === 'memberCommit' && result.additionalResult.extensions.length > 0
        ? result.additionalResult.extensions
        : context.extensions;
    let newTree = result.tree;
    if (path) {
      const leafError = await validateLeafNodeUpdateOrCommit(
        path.leafNode,
        committerLeaf,
        context,
        defaultClientConfig.authService,
        cs.signature,
      );
      if (leafError) throw mismatch(`the UpdatePath leaf: ${leafError.message}`);
      newTree = await applyUpdatePath(newTree, committerLeaf, path, cs.hash);
    }
    const adds =
      result.additionalResult.kind === 'memberCommit' ? result.additionalResult.addedLeafNodes : [];
    return {
      context: await nextEpochContext(
        { ...context, extensions },
        'mls_public_message',
        content,
        auth.signature,
        await treeHashRoot(newTree, cs.hash),
        before.confirmationTag,
        cs.hash,
      ),
      addedKeyPackageRefs: await Promise.all(adds.map(([, kp]) => makeKeyPackageRef(kp, cs.hash))),
      addedLeaves: adds.map(([leaf]) => Number(leaf)),
      leafCount: (newTree.length + 1) / 2,
    };
  });

  // The cheap comparisons first, on the decoded GroupInfo: a forged one costs no tree hash nor certificate.
  const info = decodeWhole(next, MLS_LIMITS.maxGroupInfoBytes, 'GroupInfo', ['mls_group_info']).groupInfo;
  if (!same(encodeGroupContext(info.groupContext), encodeGroupContext(applied)))
    throw mismatch(
      info.groupContext.epoch === applied.epoch && !same(info.groupContext.treeHash, applied.treeHash)
        ? "the GroupInfo's ratchet tree is not the previous tree with the commit's proposals and path applied"
        : "the GroupInfo's group context is not the one the commit makes (epoch, extensions or transcript)",
    );
  if (info.signer !== committerLeaf) throw mismatch('the GroupInfo is not signed by the committer');
  if (!same(info.confirmationTag, auth.confirmationTag))
    throw mismatch("the GroupInfo's confirmation tag is not the commit's");
  // Its tree hashes to the context's tree_hash: read it, no bigger than the tree the commit makes (the previous
  // leaves and the adds': a forged tree of 1,500 leaves costs no hash nor certificate parse).
  const facts = await readGroupInfo(next, leafCount);
  return { ...facts, committerLeaf, addedKeyPackageRefs, addedLeaves };
}

/**
 * Proposals members cannot follow through the delivery service: a ReInit (a new group the server never
 * registered) and an external PSK (a secret some members may lack). Refused before anything is applied.
 */
function refuseUnfollowable(proposals: Commit['proposals']): void {
  for (const p of proposals) {
    if (p.proposalOrRefType !== 'proposal') continue;
    const { proposal } = p;
    if (proposal.proposalType === 'reinit')
      throw new MlsInputError('mls_unsupported', 'a ReInit proposal is not accepted (register a new group)');
    if (proposal.proposalType === 'psk' && proposal.psk.preSharedKeyId.psktype === 'external')
      throw new MlsInputError('mls_unsupported', 'an external PSK proposal is not accepted');
  }
}

/** PSKs are the members' secrets: the server only needs the tree, so any PSK id resolves (to zeros). */
const ANY_PSK = { findPsk: () => new Uint8Array(32) };

/**
 * Just enough of a ts-mls ClientState for applyProposals: the previous tree and context, and the proposals
 * the server holds by their ProposalRef (RFC 9420 §5.2). Credentials are the caller's to check (device
 * management, on every leaf of the new tree): ts-mls's default authentication service accepts them here.
 */
async function stateFor(
  tree: RatchetTree,
  groupContext: GroupContext,
  proposals: readonly Uint8Array[],
  committerLeaf: number,
  hash: Parameters<typeof makeProposalRef>[1],
): Promise<ClientState> {
  const unappliedProposals: ClientState['unappliedProposals'] = {};
  for (const bytes of proposals) {
    const m = decodeWhole(bytes, MLS_LIMITS.maxMessageBytes, 'proposal', ['mls_public_message']);
    const { content, auth } = m.publicMessage;
    if (content.contentType !== 'proposal') continue;
    const ref = await makeProposalRef({ wireformat: 'mls_public_message', content, auth }, hash);
    const sender = content.sender.senderType === 'member' ? content.sender.leafIndex : undefined;
    unappliedProposals[bytesToBase64(ref)] = { proposal: content.proposal, senderLeafIndex: sender };
  }
  return {
    groupContext,
    ratchetTree: tree,
    unappliedProposals,
    // An added KeyPackage's lifetime must cover now (ts-mls checks it on receipt only when asked).
    clientConfig: {
      ...defaultClientConfig,
      lifetimeConfig: { ...defaultClientConfig.lifetimeConfig, validateLifetimeOnReceive: true },
    },
    privatePath: { leafIndex: committerLeaf },
  } as unknown as ClientState;
}

/** ts-mls's validation errors (a reference to an unknown proposal, a Remove of a blank leaf…) as mismatches. */
async function withMlsErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof MlsInputError) throw err;
    throw mismatch(
      `the commit does not apply to the group's current epoch: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
