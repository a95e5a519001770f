import { descendantsOf, type TreeNode } from '../directory/institution-scopes.js';
import { validateOfficial, type OfficialRecord } from '../onboarding/official-record.js';
import { institutionLookup, type Institution, type PlannedStep } from '../onboarding/onboarding-plan.js';

/** Which directory attribute fills each official field (e.g. uid, cn, title, ou, mail, telephoneNumber). */
export type AttributeMapping = {
  username: string;
  displayName: string;
  designation?: string | undefined;
  /** An attribute naming the institution (its name or id); or none, and `institution` below for every entry. */
  institution?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  imsi?: string | undefined;
};

/** An entry as the driver hands it over: its DN and the first value of each attribute, as text. */
export type DirectoryEntry = { dn: string; attributes: Record<string, string | undefined> };

/** The attributes to ask the directory for (attribute names are case-insensitive in LDAP). */
export function requestedAttributes(m: AttributeMapping): string[] {
  return [...new Set(Object.values(m).filter((a): a is string => !!a))];
}

/**
 * One directory entry as an official, by the mapping, validated by the same rules as the CSV import — or why
 * it is skipped. `fixedInstitution` places entries whose mapping names no institution attribute.
 */
export function mapEntry(
  entry: DirectoryEntry,
  m: AttributeMapping,
  fixedInstitution: string | null,
): OfficialRecord | { reason: string } {
  const lower = new Map(Object.entries(entry.attributes).map(([k, v]) => [k.toLowerCase(), v]));
  const get = (attr: string | undefined) => (attr ? lower.get(attr.toLowerCase()) : undefined);
  const institution = m.institution ? get(m.institution) : (fixedInstitution ?? undefined);
  const r = validateOfficial({
    username: get(m.username),
    displayName: get(m.displayName),
    designation: get(m.designation),
    institution,
    email: get(m.email),
    phone: get(m.phone),
    imsi: get(m.imsi),
  });
  if ('reason' in r && !get(m.username)) return { reason: `no ${m.username} attribute` };
  return r;
}

/**
 * The officials this sync manages (linked to it) who are active but no longer among the directory's entries:
 * they are disabled — never deleted; their audit history and factors stay, and they come back if re-linked.
 * A run whose search returned nothing disables nobody: an empty result is far likelier a wrong base or filter
 * (or a directory outage) than every official leaving at once.
 */
export function plannedDisables(
  linked: readonly { userId: string; username: string; status: 'active' | 'disabled' }[],
  present: ReadonlySet<string>,
  entriesSeen: number,
): { userId: string; username: string }[] {
  if (entriesSeen === 0) return [];
  return linked
    .filter((u) => u.status === 'active' && !present.has(u.username))
    .map(({ userId, username }) => ({ userId, username }));
}

/**
 * The institutions a sync may place officials in: with a fixed institution, it and its departments (an entry
 * naming any other is refused, and an official elsewhere is "taken"); without one, every institution (null).
 * A directory's administrator thus never reaches officials outside the sync's institution.
 */
export function syncScope(
  fixed: string | null,
  all: readonly (Institution & TreeNode)[],
): string[] | null | { reason: string } {
  if (fixed === null) return null;
  const found = institutionLookup(all, null).resolve(fixed);
  if ('reason' in found) return { reason: `the sync's institution: ${found.reason}` };
  return descendantsOf(found.id, all);
}

/** Why an existing official is not taken over by a sync (see refuseUnmanaged). */
export const NOT_MANAGED = 'exists and is not managed by this directory sync; link it explicitly';

/**
 * A sync changes only the officials it manages (created by it, or linked to it): an existing official it does
 * not manage is refused, never adopted — else whoever runs the directory could claim anyone by username.
 */
export function refuseUnmanaged<K>(
  steps: readonly PlannedStep<K>[],
  managed: ReadonlySet<string>,
): PlannedStep<K>[] {
  return steps.map((s) =>
    (s.action === 'update' || s.action === 'unchanged') && !managed.has(s.userId)
      ? { action: 'error', key: s.key, username: s.username, reason: NOT_MANAGED }
      : s,
  );
}

/** RFC 4515 §3: a value in a search filter, with `*`, `(`, `)`, backslash and NUL escaped as backslash + 2 hex digits. */
export function escapeFilterValue(value: string): string {
  return value.replace(
    /[*()\\\0]/g,
    (c) => `\\${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** The sync's filter narrowed to the one entry whose username attribute is `username`. */
export function entryFilter(syncFilter: string, usernameAttribute: string, username: string): string {
  return `(&${syncFilter}(${usernameAttribute}=${escapeFilterValue(username)}))`;
}
