import { validateOfficial, type OfficialRecord } from '../onboarding/official-record.js';

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
