import { stringify } from 'yaml';
import { sliceKey, sliceLabel } from '../network-spec/check-support.js';
import {
  formatPath,
  validateNetworkSpec,
  type NetworkSpec,
  type SpecIssue,
} from '../network-spec/network-spec.js';
import { unifiedDiff } from '../network-spec/spec-preview.js';
import { lteAmbrWarnings } from './profile-lte-limits.js';
import { SubscriberProfile, type BitrateUnit } from './profile.js';

/**
 * Every problem of a subscriber profile at once: the format (schema), the rules across fields (one default
 * slice, no duplicates), whatever part of the profile is readable, and what the running network spec does not
 * offer: a slice it does not declare, a DNN it does not serve in that slice, or an IPv6/IPv4v6 session to a DNN
 * without an IPv6 pool. Those are errors, not warnings: Open5GS takes the profile anyway (the UDR/HSS never
 * look at the SMF's DNNs), and then the AMF rejects the slice, or the SMF finds no subnet for the DNN and family
 * (lib/pfcp/context.c ogs_pfcp_ue_ip_alloc fails the session), or an IPv4v6 session is silently cut down to
 * IPv4 ("No IPv6 subnet ... only IPv4 assigned", src/smf/context.c smf_sess_set_ue_ip). Pure.
 */

export type ProfileCheck =
  | { ok: true; profile: SubscriberProfile; warnings: SpecIssue[] }
  | { ok: false; errors: SpecIssue[]; warnings: SpecIssue[] };

type RawSlice = { sst?: unknown; sd?: unknown; default?: unknown; sessions?: unknown };
const ONE_DEFAULT = 'exactly one slice must be the default';

export function checkProfile(value: unknown, spec: NetworkSpec | null): ProfileCheck {
  const parsed = SubscriberProfile.safeParse(value);
  // The schema's own "one default" refinement runs only sometimes (not when the data is too broken): this
  // check replaces it, on whatever slices are readable, and says how many there are.
  const errors: SpecIssue[] = parsed.success
    ? []
    : parsed.error.issues
        .filter((i) => i.message !== ONE_DEFAULT)
        .map((i) => ({ path: formatPath(i.path), message: i.message }));
  const warnings: SpecIssue[] = [];
  const slices = rawSlices(value);
  const defaults = slices.filter((s) => s.default === true).length;
  if (slices.length > 0 && defaults !== 1)
    errors.push({ path: 'slices', message: `${ONE_DEFAULT} (${defaults} are): set default: true on one` });
  const seen = new Map<string, number>();
  slices.forEach((s, i) => {
    if (typeof s.sst !== 'number') return;
    const ref = { sst: s.sst, sd: typeof s.sd === 'string' ? s.sd.toLowerCase() : undefined };
    const first = seen.get(sliceKey(ref));
    if (first !== undefined)
      errors.push({
        path: `slices[${i}]`,
        message: `slice ${sliceLabel(ref)} is listed twice (first at slices[${first}])`,
      });
    else seen.set(sliceKey(ref), i);
    const dnns = sessionDnns(s);
    dnns.forEach((dnn, j) => {
      const k = dnns.findIndex((d) => d.toLowerCase() === dnn.toLowerCase());
      if (k < j)
        errors.push({
          path: `slices[${i}].sessions[${j}].dnn`,
          message: `DNN ${dnn} is listed twice (first at sessions[${k}])`,
        });
    });
    if (spec) errors.push(...againstSpec(spec, ref, rawSessions(s), i));
  });
  if (!parsed.success || errors.length > 0) return { ok: false, errors, warnings };
  warnings.push(...ambrWarnings(parsed.data), ...lteAmbrWarnings(parsed.data));
  return { ok: true, profile: parsed.data, warnings };
}

type RawSession = { dnn: string; type: unknown };

/** What a profile's slice needs from the spec that the spec lacks; one issue per missing thing. */
function againstSpec(
  spec: NetworkSpec,
  ref: { sst: number; sd: string | undefined },
  sessions: RawSession[],
  i: number,
): SpecIssue[] {
  const key = sliceKey(ref);
  if (!spec.slices.some((s) => sliceKey(s) === key)) {
    const declared = spec.slices.map(sliceLabel).join(', ');
    return [
      {
        path: `slices[${i}]`,
        message: `slice ${sliceLabel(ref)} is not in the running network spec (it has ${declared}): add it to the spec first`,
      },
    ];
  }
  return sessions.flatMap(({ dnn, type }, j): SpecIssue[] => {
    const offered = spec.dnns.find(
      (d) => d.name.toLowerCase() === dnn.toLowerCase() && d.slices.some((s) => sliceKey(s) === key),
    );
    if (!offered)
      return [
        {
          path: `slices[${i}].sessions[${j}].dnn`,
          message: `the running network spec offers no DNN ${dnn} in slice ${sliceLabel(ref)}: add it there first`,
        },
      ];
    // The SMF takes the IPv6 prefix from the DNN's IPv6 `session` subnet (src/smf/context.c smf_sess_set_ue_ip).
    if ((type === 'IPv6' || type === 'IPv4v6') && offered.ipv6 === undefined)
      return [
        {
          path: `slices[${i}].sessions[${j}].type`,
          message: `${type} needs an IPv6 pool, but DNN ${offered.name} in the running network spec has none: add dnns[].ipv6 or use IPv4`,
        },
      ];
    return [];
  });
}

const UNIT_BPS: Record<BitrateUnit, number> = { bps: 1, Kbps: 1e3, Mbps: 1e6, Gbps: 1e9, Tbps: 1e12 };
const bps = (b: { value: number; unit: BitrateUnit }) => b.value * UNIT_BPS[b.unit];

/** A session AMBR above the UE AMBR is capped by it: probably not what was meant. */
function ambrWarnings(profile: SubscriberProfile): SpecIssue[] {
  return profile.slices.flatMap((s, i) =>
    s.sessions.flatMap((session, j) =>
      (['downlink', 'uplink'] as const)
        .filter((dir) => bps(session.ambr[dir]) > bps(profile.ambr[dir]))
        .map((dir) => ({
          path: `slices[${i}].sessions[${j}].ambr.${dir}`,
          message: `above the UE AMBR ${dir} (${profile.ambr[dir].value} ${profile.ambr[dir].unit}), which caps it`,
        })),
    ),
  );
}

function rawSlices(value: unknown): RawSlice[] {
  const slices = (value as { slices?: unknown } | null)?.slices;
  if (!Array.isArray(slices)) return [];
  return slices.map((s: unknown) => (s !== null && typeof s === 'object' ? (s as RawSlice) : {}));
}

function rawSessions(slice: RawSlice): RawSession[] {
  if (!Array.isArray(slice.sessions)) return [];
  return slice.sessions.flatMap((x: unknown) => {
    const { dnn, type } = (x ?? {}) as { dnn?: unknown; type?: unknown };
    return typeof dnn === 'string' ? [{ dnn, type: type ?? 'IPv4' }] : [];
  });
}

function sessionDnns(slice: RawSlice): string[] {
  if (!Array.isArray(slice.sessions)) return [];
  return slice.sessions.flatMap((x: unknown) => {
    const dnn = (x as { dnn?: unknown } | null)?.dnn;
    return typeof dnn === 'string' ? [dnn] : [];
  });
}

export type ProfilePreview = {
  valid: boolean;
  errors: SpecIssue[];
  warnings: SpecIssue[];
  /** False: saving creates the profile. */
  exists: boolean;
  changed: boolean;
  /** Unified diff of the saved and the new profile (YAML, defaults filled in). */
  diff: string;
};

export function previewProfile(
  name: string,
  value: unknown,
  saved: SubscriberProfile | null,
  spec: NetworkSpec | null,
): ProfilePreview {
  const checked = checkProfile(value, spec);
  const base = { exists: saved !== null, warnings: checked.warnings };
  if (!checked.ok) return { ...base, valid: false, errors: checked.errors, changed: true, diff: '' };
  const before = saved ? stringify(saved, { lineWidth: 0, singleQuote: true }) : '';
  const after = stringify(checked.profile, { lineWidth: 0, singleQuote: true });
  const diff = unifiedDiff(before, after, saved ? `${name} (saved)` : '/dev/null', name);
  return { ...base, valid: true, errors: [], changed: before !== after, diff };
}

/** A stored profile the spec would no longer serve, and what it needs from the spec. */
export type OrphanedProfile = { profile: string; needs: SpecIssue[] };

/**
 * The profiles a spec would leave without a slice, DNN or IPv6 pool they grant (see checkProfile). Stored
 * profiles were valid when saved, so only the spec issues are left; a profile that no longer parses is named too.
 */
export function orphanedProfiles(
  profiles: readonly { name: string; profile: unknown }[],
  spec: NetworkSpec,
): OrphanedProfile[] {
  return profiles.flatMap(({ name, profile }) => {
    const checked = checkProfile(profile, spec);
    return checked.ok ? [] : [{ profile: name, needs: checked.errors }];
  });
}

/**
 * The stored running spec if it still validates; null when none was applied or it no longer passes (then there
 * is nothing sound to check against, and `network open5gs-config` refuses to render it anyway).
 */
export function runningSpec(stored: unknown): NetworkSpec | null {
  if (stored === undefined || stored === null) return null;
  const checked = validateNetworkSpec(stored);
  return checked.ok ? checked.spec : null;
}
