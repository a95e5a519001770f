import type { OfficialRecord } from './official-record.js';

/** The profile fields an onboarding source sets (a subset of the users API's). */
export const PROFILE_FIELDS = ['displayName', 'designation', 'institutionId', 'email', 'phone'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];
export type Profile = {
  [K in ProfileField]: K extends 'displayName' | 'institutionId' ? string : string | null;
};

/** A user as the plan sees them (an operator may have no institution). */
export type KnownUser = Omit<Profile, 'institutionId'> & {
  institutionId: string | null;
  id: string;
  username: string;
  kind: 'official' | 'operator';
  status: 'active' | 'disabled';
};

export type Institution = { id: string; name: string };

/** Names an institution by id or (case-insensitive) name, and says whether the caller may act in it. */
export type InstitutionLookup = {
  resolve(ref: string): { id: string } | { reason: string };
  inScope(id: string): boolean;
};

export type PlannedStep<K> =
  | { action: 'create'; key: K; username: string; profile: Profile; imsi: string | null }
  | {
      action: 'update';
      key: K;
      userId: string;
      username: string;
      changes: Partial<Profile>;
      imsi: string | null;
    }
  | { action: 'unchanged'; key: K; userId: string; username: string; imsi: string | null }
  | { action: 'error'; key: K; username: string; reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An InstitutionLookup over the institution list and the caller's scope (null: national). */
export function institutionLookup(
  all: readonly Institution[],
  scopeIds: readonly string[] | null,
): InstitutionLookup {
  const byId = new Map(all.map((i) => [i.id.toLowerCase(), i]));
  const byName = new Map<string, Institution[]>();
  for (const i of all) byName.set(i.name.toLowerCase(), [...(byName.get(i.name.toLowerCase()) ?? []), i]);
  const scope = scopeIds === null ? null : new Set(scopeIds);
  return {
    resolve(ref) {
      const key = ref.trim().toLowerCase();
      const found = UUID.test(key) ? byId.get(key) : undefined;
      if (found) return { id: found.id };
      const named = byName.get(key) ?? [];
      if (named.length === 1) return { id: named[0]!.id };
      if (named.length > 1)
        return { reason: `institution "${ref}" names ${named.length} institutions: give its id` };
      return { reason: `no institution "${ref}"` };
    },
    inScope: (id) => scope === null || scope.has(id),
  };
}

/**
 * What one source record means against what exists: create the official, update their changed profile
 * fields, leave them be, or refuse the line (with why). Usernames out of the caller's scope and operators'
 * usernames are refused with the same words as a taken username: the plan never tells an institution's
 * officer who exists elsewhere.
 */
export function planOfficial<K>(
  key: K,
  record: OfficialRecord,
  existing: KnownUser | undefined,
  institutions: InstitutionLookup,
): PlannedStep<K> {
  const error = (reason: string): PlannedStep<K> => ({
    action: 'error',
    key,
    username: record.username,
    reason,
  });
  const inst = institutions.resolve(record.institution);
  if ('reason' in inst) return error(inst.reason);
  if (!institutions.inScope(inst.id))
    return error(`institution "${record.institution}" is outside your scope`);
  const profile: Profile = {
    displayName: record.displayName,
    designation: record.designation,
    institutionId: inst.id,
    email: record.email,
    phone: record.phone,
  };
  if (!existing) return { action: 'create', key, username: record.username, profile, imsi: record.imsi };
  if (
    existing.kind !== 'official' ||
    existing.institutionId === null ||
    !institutions.inScope(existing.institutionId)
  )
    return error(`the username "${record.username}" is taken`);
  const changes: Partial<Profile> = {};
  for (const f of PROFILE_FIELDS) if (existing[f] !== profile[f]) Object.assign(changes, { [f]: profile[f] });
  const base = { key, userId: existing.id, username: existing.username, imsi: record.imsi };
  return Object.keys(changes).length === 0
    ? { action: 'unchanged', ...base }
    : { action: 'update', ...base, changes };
}
