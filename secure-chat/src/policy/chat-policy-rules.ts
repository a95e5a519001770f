/**
 * Pure rules of the per-institution chat policies: whom an institution's officials may share a group with, and
 * how long undelivered ciphertext is kept. No I/O; the service reads the policies and passes them in.
 */

export const CROSS_INSTITUTION_MODES = ['directory', 'own-institution', 'allow-list'] as const;
export type CrossInstitutionMode = (typeof CROSS_INSTITUTION_MODES)[number];

export const DEFAULT_RETENTION_DAYS = 30;
export const MIN_RETENTION_DAYS = 1;
export const MAX_RETENTION_DAYS = 365;
/** Institutions an allow-list may name. */
export const MAX_ALLOWED_INSTITUTIONS = 500;

export type ChatPolicyRules = {
  /**
   * `directory`: whoever identity's directory lets the official see (the only check then); `own-institution`:
   * no group mixes this institution's officials with another institution's; `allow-list`: only with these.
   */
  readonly crossInstitution: CrossInstitutionMode;
  readonly allowedInstitutions: readonly string[];
  /** Days an envelope waits in a device's queue before the sweep purges it undelivered. */
  readonly retentionDays: number;
};

export const DEFAULT_CHAT_POLICY: ChatPolicyRules = Object.freeze({
  crossInstitution: 'directory',
  allowedInstitutions: Object.freeze([]),
  retentionDays: DEFAULT_RETENTION_DAYS,
});

/** Whether `policy` (of institution `own`) lets its officials share a group with officials of `other`. */
export function policyAllows(policy: ChatPolicyRules, own: string, other: string | null): boolean {
  // National officials (no institution) and one's own colleagues are never another institution's.
  if (other === null || other === own) return true;
  switch (policy.crossInstitution) {
    case 'directory':
      return true;
    case 'own-institution':
      return false;
    case 'allow-list':
      return policy.allowedInstitutions.includes(other);
  }
}

/** Which institution's policy refused, and the institution it refused. */
export type PolicyRefusal = { readonly refusedBy: string; readonly other: string | null };

/**
 * Both institutions' policies must allow the pair (a's for b and b's for a); the first refusal, a's first.
 * An institution without a stored policy follows DEFAULT_CHAT_POLICY.
 */
export function pairRefusal(
  policies: ReadonlyMap<string, ChatPolicyRules>,
  a: string | null,
  b: string | null,
): PolicyRefusal | null {
  const of = (i: string) => policies.get(i) ?? DEFAULT_CHAT_POLICY;
  if (a !== null && !policyAllows(of(a), a, b)) return { refusedBy: a, other: b };
  if (b !== null && !policyAllows(of(b), b, a)) return { refusedBy: b, other: a };
  return null;
}

/**
 * A commit that adds officials: each joining official's institution must be allowed with the committer's
 * and with every institution already in the new tree, by the policies of both sides.
 */
export function commitRefusal(
  policies: ReadonlyMap<string, ChatPolicyRules>,
  committer: string | null,
  treeInstitutions: readonly (string | null)[],
  joining: readonly (string | null)[],
): PolicyRefusal | null {
  const present = [...new Set([committer, ...treeInstitutions])];
  for (const j of joining)
    for (const p of present) {
      const refusal = pairRefusal(policies, p, j);
      if (refusal) return refusal;
    }
  return null;
}

/** The institutions whose policies a check needs (the null national one has none). */
export const policyIds = (...ids: (string | null)[]): string[] =>
  [...new Set(ids.filter((i): i is string => i !== null))].sort();

const DAY_MS = 86_400_000;

/** Before this instant an envelope of an institution with this retention is purged. */
export const retentionCutoff = (now: Date, retentionDays: number): Date =>
  new Date(now.getTime() - retentionDays * DAY_MS);
