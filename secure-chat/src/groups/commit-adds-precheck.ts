import { b64u } from '../mls/bytes.js';
import { MLS_LIMITS, readCommitAdds } from '../mls/mls-facts.js';
import { mlsInput } from '../mls/mls-input.js';
import { secureChatError } from '../secure-chat.errors.js';

/** The KeyPackages handed out to a device (KeyPackagesRepository), read without a lock. */
export type ClaimedKeyPackages = {
  claimedAmong(refs: readonly string[], claimedBy: string, now: Date): Promise<Set<string>>;
};

/**
 * Before a commit costs a worker anything (≈23 ms per added KeyPackage): its inline Adds must fit the group
 * (the members, less its Removes, plus its Adds, at most MLS_LIMITS.maxGroupLeaves) and be KeyPackages handed
 * out to the committing device, unexpired — else 422 mls_commit_mismatch. A hash per Add and one read: a member
 * cannot hold the single commit lane with self-made Adds. The transaction still takes (and uses up) the claims.
 */
export async function precheckCommitAdds(
  commit: Uint8Array,
  members: number,
  deviceId: string,
  claims: ClaimedKeyPackages | undefined,
  now: Date,
): Promise<void> {
  const { addedKeyPackageRefs, removes } = await mlsInput(() => readCommitAdds(commit), 'commit');
  if (members - removes + addedKeyPackageRefs.length > MLS_LIMITS.maxGroupLeaves)
    throw secureChatError(
      'mls_commit_mismatch',
      `commit: the group would have more than ${MLS_LIMITS.maxGroupLeaves} members.`,
    );
  if (!claims || addedKeyPackageRefs.length === 0) return;
  const refs = addedKeyPackageRefs.map(b64u);
  const claimed = await claims.claimedAmong(refs, deviceId, now);
  if (refs.some((ref) => !claimed.has(ref))) throw notHandedOut();
}

/** 422: a commit adds a KeyPackage its committer was not handed out (or one used up, or expired). */
export const notHandedOut = () =>
  secureChatError(
    'mls_commit_mismatch',
    'commit: it adds a KeyPackage not handed out to this device (POST /api/v1/chat/key-packages/claim), used already or expired.',
  );
