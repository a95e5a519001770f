/**
 * The registry's pure rules: input shapes, patch levels, channels and which release is the latest. No Nest,
 * no database; the service and the port read them.
 */

export type BootKeyStatus = 'active' | 'retired' | 'compromised';
export const BOOT_KEY_STATUSES = [
  'active',
  'retired',
  'compromised',
] as const satisfies readonly BootKeyStatus[];
export type ReleaseChannel = 'stable' | 'beta' | 'pilot';
export const RELEASE_CHANNELS = ['stable', 'beta', 'pilot'] as const satisfies readonly ReleaseChannel[];
export type PayloadKind = 'full' | 'incremental';

/** Android codename (ro.product.device): lower-case letters, digits, `_` and `-`. */
export const CODENAME = /^[a-z0-9][a-z0-9_-]{0,47}$/;
/** SHA-256 as hex: 64 characters. */
export const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
/** A build id as in ro.build.id (e.g. AP2A.240805.005). */
export const BUILD_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** brand/product/device:release/id/incremental:type/tags (Build.FINGERPRINT). */
export const FINGERPRINT = /^[^/\s:]+\/[^/\s:]+\/[^/\s:]+:[^/\s:]+\/[^/\s:]+\/[^/\s:]+:[^/\s:]+\/[^/\s]+$/;
/** A patch level as Android writes it: YYYY-MM-DD. */
export const PATCH_DATE = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Lower-case hex, the form attestation facts carry. */
export const normDigest = (hex: string): string => hex.toLowerCase();

/** YYYY-MM-DD (or YYYY-MM) to its month as YYYYMM, the unit patch levels are compared in; null if malformed. */
export function patchMonthOf(level: string): number | null {
  const m = /^(\d{4})-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?$/.exec(level);
  return m ? Number(m[1]) * 100 + Number(m[2]) : null;
}

/** YYYYMM to 'YYYY-MM' for people. */
export const formatPatchMonth = (month: number): string =>
  `${Math.floor(month / 100)}-${String(month % 100).padStart(2, '0')}`;

/**
 * The channels a handset on `channel` takes builds from: stable is everyone's floor, beta also takes stable
 * builds, pilot takes everything (a pilot device is never left behind a newer stable build).
 */
export function channelsFor(channel: ReleaseChannel): readonly ReleaseChannel[] {
  switch (channel) {
    case 'stable':
      return ['stable'];
    case 'beta':
      return ['stable', 'beta'];
    case 'pilot':
      return ['stable', 'beta', 'pilot'];
  }
}

export type ReleaseFacts = {
  model: string;
  channel: ReleaseChannel;
  securityPatchLevel: string;
  createdAt: Date;
};

/** The newest release for a model on a channel: highest security patch level, then the most recently added. */
export function latestOf<R extends ReleaseFacts>(
  rows: readonly R[],
  model: string,
  channel: ReleaseChannel,
): R | null {
  const allowed = channelsFor(channel);
  let best: R | null = null;
  for (const r of rows) {
    if (r.model !== model || !allowed.includes(r.channel)) continue;
    if (best === null || compareReleases(r, best) > 0) best = r;
  }
  return best;
}

function compareReleases(a: ReleaseFacts, b: ReleaseFacts): number {
  if (a.securityPatchLevel !== b.securityPatchLevel)
    return a.securityPatchLevel < b.securityPatchLevel ? -1 : 1;
  return a.createdAt.getTime() - b.createdAt.getTime();
}

/**
 * The floor that applies to an institution: the higher of its own and the national one (an institution may
 * only be stricter than the nation), else whichever is set, else none.
 */
export function floorFor(
  floors: ReadonlyMap<string, number>,
  institutionId: string | null | undefined,
): number | null {
  const own = institutionId ? floors.get(institutionId) : undefined;
  const national = floors.get(NATIONAL_FLOOR);
  if (own === undefined) return national ?? null;
  return national === undefined ? own : Math.max(own, national);
}
/** The scope key of the national patch floor. */
export const NATIONAL_FLOOR = '*';

export type KeyRow = { model: string; digest: string; status: BootKeyStatus };

/**
 * What the registry says of a boot key for a model: `model` is matched against the codename (or marketing
 * name) of a registered model; a model the registry does not know (or null) matches the key on any model.
 * Compromised anywhere wins: a leaked key signs whatever an attacker likes, for any model.
 */
export function bootKeyVerdict(
  keys: readonly KeyRow[],
  modelCodename: string | null,
  digest: string,
): BootKeyStatus | 'unknown' {
  const d = normDigest(digest);
  const same = keys.filter((k) => k.digest === d);
  if (same.some((k) => k.status === 'compromised')) return 'compromised';
  const forModel = modelCodename === null ? same : same.filter((k) => k.model === modelCodename);
  if (forModel.some((k) => k.status === 'active')) return 'active';
  if (forModel.some((k) => k.status === 'retired')) return 'retired';
  return 'unknown';
}
