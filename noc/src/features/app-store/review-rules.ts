// Pure helpers of the app-store pages: how a version's permissions read against the previous one, and where a
// version stands in its review. The server computes the diff (app-store publishing-rules.ts permissionDiff,
// against the latest approved version) and the approvals a version needs (approvalsNeeded); these only lay
// them out.

export type PermissionDiff = { added: readonly string[]; removed: readonly string[] };

/** One line of the permission list as a reviewer reads it. */
export type PermissionLine = { mark: '+' | '−'; kind: 'added' | 'removed'; permission: string };

export type PermissionView = {
  /** Added (+) then removed (−), each sorted: what the reviewer has to look at. */
  changed: PermissionLine[];
  /** Requested by this version and the previous one alike (sorted): collapsed on the page. */
  unchanged: string[];
};

const sorted = (list: Iterable<string>) => [...new Set(list)].sort();

/**
 * The version's permissions split by the server's diff. `requested` is the version's manifest list; a
 * permission the diff calls added is never also listed unchanged, even when the manifest repeats it
 * (aapt2 keeps duplicate <uses-permission> elements).
 */
export function permissionView(requested: readonly string[], diff: PermissionDiff): PermissionView {
  const added = new Set(diff.added);
  const removed = new Set(diff.removed);
  return {
    changed: [
      ...sorted(added).map((permission): PermissionLine => ({ mark: '+', kind: 'added', permission })),
      ...sorted(removed).map((permission): PermissionLine => ({ mark: '−', kind: 'removed', permission })),
    ],
    unchanged: sorted(requested.filter((p) => !added.has(p) && !removed.has(p))),
  };
}

/** The diff as plain text lines ("+ android.permission.CAMERA", "− …"), e.g. for a title or a copy. */
export const formatPermissionLines = (view: PermissionView): string[] =>
  view.changed.map((l) => `${l.mark} ${l.permission}`);

export type Review = { reviewer: string; decision: 'approve' | 'reject'; at: string };

/**
 * Approvals so far against those needed. Distinct reviewers: a mandatory app needs two different people
 * (four eyes), and the server refuses a second decision by the same reviewer (already_reviewed).
 */
export function approvalProgress(
  reviews: readonly Review[],
  needed: number,
): { approvals: number; needed: number; text: string } {
  const approvals = new Set(reviews.filter((r) => r.decision === 'approve').map((r) => r.reviewer)).size;
  const text =
    needed > 1
      ? `${approvals} of ${needed} approvals (needs ${needed} distinct approvers)`
      : `${approvals} of ${needed} approval`;
  return { approvals, needed, text };
}

/** A SHA-256 in hex, shortened for a table cell (the full digest goes in its title). */
export const shortDigest = (hex: string, chars = 16): string =>
  hex.length > chars ? `${hex.slice(0, chars)}…` : hex;

/**
 * Who a store record names: the store keeps `kind:id` (the principal's actor, e.g. `operator:<uuid>`); an
 * operator or an official is a user whose name the users API has, anything else (an API token, the system)
 * is shown as recorded.
 */
export function actorRef(recorded: string): { userId: string | null; text: string } {
  const colon = recorded.indexOf(':');
  const kind = colon > 0 ? recorded.slice(0, colon) : '';
  const id = colon > 0 ? recorded.slice(colon + 1) : '';
  return { userId: (kind === 'operator' || kind === 'official') && id ? id : null, text: recorded };
}
