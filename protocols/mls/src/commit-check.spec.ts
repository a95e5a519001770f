import 'reflect-metadata';
import {
  acceptAll,
  createCommit,
  createGroup,
  decodeMlsMessage,
  emptyPskIndex,
  encodeMlsMessage,
  joinGroup,
  processMessage,
  type ClientState,
  type Proposal,
  type RatchetTree,
} from 'ts-mls';
import { createGroupInfoWithRatchetTree } from 'ts-mls/createCommit.js';
import { addLeafNode } from 'ts-mls/ratchetTree.js';
import { treeHashRoot } from 'ts-mls/treeHash.js';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { readCommitAdds } from './commit-adds.js';
import { checkCommit } from './commit-check.js';
import { externalRemove, externalSenderExtension, newExternalSenderKey } from './external-sender.js';
import { readGroupInfo } from './group-info.js';
import { chatSuite } from './suite.js';
import { device, groupInfoBytes, keyPackage, refusal, type Device } from './test-devices.js';

/*
 * checkCommit on real ts-mls groups (chat suite, X.509 credentials): honest commits — an Add, an update by a
 * member who joined, a member's Remove, the server's external Remove committed by reference — pass; a
 * GroupInfo that is not what its commit makes (signed by the committer, its tree hash matching its own
 * context, so readGroupInfo alone accepts it) is refused with mls_commit_mismatch.
 */
const server = newExternalSenderKey();
let alice: Device;
let bob: Device;
let carol: Device;

type Commit = { commit: Uint8Array; newState: ClientState; next: Uint8Array };

async function commitOf(state: ClientState, extraProposals: Proposal[] = [], publicMessage = true) {
  const cs = await chatSuite();
  const r = await createCommit(
    { state, cipherSuite: cs },
    { extraProposals, ratchetTreeExtension: true, wireAsPublicMessage: publicMessage },
  );
  return { ...r, commit: encodeMlsMessage(r.commit), next: await groupInfoBytes(r.newState) };
}

/** The next epoch's GroupInfo with `tree`, signed by `signer` (leaf index and key): self-consistent. */
async function forged(next: ClientState, tree: RatchetTree, signer?: { leafIndex: number; key: Device }) {
  const cs = await chatSuite();
  const context = { ...next.groupContext, treeHash: await treeHashRoot(tree, cs.hash) };
  const who = signer
    ? { privatePath: { leafIndex: signer.leafIndex }, signaturePrivateKey: signer.key.signKey }
    : next;
  const groupInfo = await createGroupInfoWithRatchetTree(
    context,
    next.confirmationTag,
    who as ClientState,
    tree,
    [],
    cs,
  );
  const bytes = encodeMlsMessage({ version: 'mls10', wireformat: 'mls_group_info', groupInfo });
  await readGroupInfo(bytes); // what the server checked before: signature and tree hash pass
  return bytes;
}

const leaves = async (p: Promise<{ members: { leafIndex: number }[] }>) =>
  (await p).members.map((m) => m.leafIndex);

/** Alice's group (the server as external sender) with Bob joined: both states and the GroupInfo at epoch 1. */
async function aliceAndBob(): Promise<{ a: ClientState; b: ClientState; info: Uint8Array }> {
  const cs = await chatSuite();
  const kp = await keyPackage(alice);
  const a0 = await createGroup(
    crypto.getRandomValues(new Uint8Array(16)),
    kp.publicPackage,
    kp.privatePackage,
    [externalSenderExtension(server.publicKey)],
    cs,
  );
  const bobKp = await keyPackage(bob);
  const add = await commitOf(a0, [{ proposalType: 'add', add: { keyPackage: bobKp.publicPackage } }]);
  const checked = await checkCommit(await groupInfoBytes(a0), add.commit, add.next);
  expect(checked.members.map((m) => m.leafIndex)).toEqual([0, 1]);
  // Whom the Welcome must reach: Bob's KeyPackage, by the ref the Welcome names it with (RFC 9420 §12.4.3.1).
  expect(checked.addedKeyPackageRefs.map((r) => Buffer.from(r))).toEqual([
    Buffer.from(add.welcome!.secrets[0]!.newMember),
  ]);
  // Read cheaply before the check (no signature): the same refs.
  const early = await readCommitAdds(add.commit);
  expect(early.addedKeyPackageRefs.map((r) => Buffer.from(r))).toEqual([
    Buffer.from(add.welcome!.secrets[0]!.newMember),
  ]);
  expect(early.removes).toBe(0);
  const b = await joinGroup(add.welcome!, bobKp.publicPackage, bobKp.privatePackage, emptyPskIndex, cs);
  return { a: add.newState, b, info: add.next };
}

beforeAll(async () => {
  [alice, bob, carol] = [await device('alice'), await device('bob'), await device('carol')];
});

describe('checkCommit', () => {
  it("accepts honest commits: an Add, another member's update, a member's Remove", async () => {
    const { b, info } = await aliceAndBob();
    const update: Commit = await commitOf(b);
    const checked = await checkCommit(info, update.commit, update.next);
    expect([checked.epoch, checked.committerLeaf, checked.members.map((m) => m.leafIndex)]).toEqual([
      2n,
      1,
      [0, 1],
    ]);
    const remove = await commitOf(update.newState, [{ proposalType: 'remove', remove: { removed: 0 } }]);
    expect(await leaves(checkCommit(update.next, remove.commit, remove.next))).toEqual([1]);
    expect(await readCommitAdds(remove.commit)).toEqual({ addedKeyPackageRefs: [], removes: 1 });
  });

  it("accepts the server's external Remove committed by reference, only when the server holds it", async () => {
    const cs = await chatSuite();
    const { a, info } = await aliceAndBob();
    const proposal = await externalRemove(info, 1, server);
    const decoded = decodeMlsMessage(proposal, 0)![0];
    if (decoded.wireformat !== 'mls_public_message') throw new Error('a PublicMessage');
    const proposed = await processMessage(decoded, a, emptyPskIndex, acceptAll, cs);
    if (proposed.kind !== 'newState') throw new Error('a new state');
    const pending = await commitOf(proposed.newState);
    expect(await leaves(checkCommit(info, pending.commit, pending.next, [proposal]))).toEqual([0]);
    expect(await refusal(checkCommit(info, pending.commit, pending.next))).toBe('mls_commit_mismatch');
  });

  it('refuses a Remove whose GroupInfo keeps the removed leaf, or one signed by another member', async () => {
    const { a, info } = await aliceAndBob();
    const remove = await commitOf(a, [{ proposalType: 'remove', remove: { removed: 1 } }]);
    const kept: RatchetTree = [remove.newState.ratchetTree[0], undefined, a.ratchetTree[2]];
    expect(await refusal(checkCommit(info, remove.commit, await forged(remove.newState, kept)))).toBe(
      'mls_commit_mismatch',
    );
    // The honest tree, but Bob (leaf 1 of the GroupInfo's tree) signs Alice's GroupInfo.
    const update = await commitOf(a);
    const byBob = await forged(update.newState, update.newState.ratchetTree, { leafIndex: 1, key: bob });
    expect(await refusal(checkCommit(info, update.commit, byBob))).toBe('mls_commit_mismatch');
    // The current GroupInfo sent again as the next one.
    expect(await refusal(checkCommit(info, update.commit, info))).toBe('mls_commit_mismatch');
  });

  it('refuses a GroupInfo listing a stranger never added, one dropping a member, and a PrivateMessage commit', async () => {
    const { a, info } = await aliceAndBob();
    const update = await commitOf(a);
    const [withCarol] = addLeafNode(
      update.newState.ratchetTree,
      (await keyPackage(carol)).publicPackage.leafNode,
    );
    for (const tree of [withCarol, [update.newState.ratchetTree[0]]])
      expect(await refusal(checkCommit(info, update.commit, await forged(update.newState, tree)))).toBe(
        'mls_commit_mismatch',
      );
    // The commit's own signature, altered or not DER at all: the committer did not sign it.
    const m = decodeMlsMessage(update.commit, 0)![0];
    if (m.wireformat !== 'mls_public_message') throw new Error('a PublicMessage');
    const flipped = Uint8Array.from(m.publicMessage.auth.signature);
    flipped[flipped.length - 1]! ^= 0x01;
    for (const signature of [flipped, new Uint8Array(3)]) {
      const resigned = {
        ...m,
        publicMessage: { ...m.publicMessage, auth: { ...m.publicMessage.auth, signature } },
      };
      expect(await refusal(checkCommit(info, encodeMlsMessage(resigned), update.next))).toBe(
        'mls_bad_signature',
      );
    }
    const hidden = await commitOf(a, [], false);
    expect(await refusal(checkCommit(info, hidden.commit, hidden.next))).toBe('mls_unsupported');
  });

  it('bounds the next tree by the previous leaves and the adds before hashing it', async () => {
    const { a, info } = await aliceAndBob();
    const update = await commitOf(a);
    const [withCarol] = addLeafNode(
      update.newState.ratchetTree,
      (await keyPackage(carol)).publicPackage.leafNode,
    );
    // The context the commit makes, signed by the committer, over a tree with one leaf more than it can have:
    // refused on the count (mls_commit_mismatch), before the hash that would find it malformed.
    const cs = await chatSuite();
    const groupInfo = await createGroupInfoWithRatchetTree(
      update.newState.groupContext,
      update.newState.confirmationTag,
      update.newState,
      withCarol,
      [],
      cs,
    );
    const bigger = encodeMlsMessage({ version: 'mls10', wireformat: 'mls_group_info', groupInfo });
    expect(await refusal(readGroupInfo(bigger))).toBe('mls_malformed');
    expect(await refusal(checkCommit(info, update.commit, bigger))).toBe('mls_commit_mismatch');
  });

  it('refuses a ReInit that members could not follow through the server', async () => {
    const { a, info } = await aliceAndBob();
    const reinit = await commitOf(a, [
      {
        proposalType: 'reinit',
        reinit: {
          groupId: new Uint8Array(16),
          version: 'mls10',
          cipherSuite: a.groupContext.cipherSuite,
          extensions: [],
        },
      },
    ]);
    expect(await refusal(checkCommit(info, reinit.commit, reinit.next))).toBe('mls_unsupported');
  });

  it('refuses an Add of a KeyPackage whose lifetime no longer covers now', async () => {
    const { a, info } = await aliceAndBob();
    const now = BigInt(Math.floor(Date.now() / 1000));
    const brief = await keyPackage(carol, [carol.cert], { notBefore: now - 60n, notAfter: now + 60n });
    const add = await commitOf(a, [{ proposalType: 'add', add: { keyPackage: brief.publicPackage } }]);
    expect((await checkCommit(info, add.commit, add.next)).addedLeaves).toEqual([2]);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 120_000);
      expect(await refusal(checkCommit(info, add.commit, add.next))).toBe('mls_commit_mismatch');
    } finally {
      vi.useRealTimers();
    }
  });
});
