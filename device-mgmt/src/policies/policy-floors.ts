import { missingFrom, raisedToFloors, weakerThanFloors, type NationalFloor } from '@pakawaaz/platform';
import { patchMonthOf, type PolicySettings } from './policy-settings.js';

/**
 * The national policy is a floor: an institution's policy may be stricter, never weaker (pure). Each rule
 * names the setting it guards, says whether an institution's value is weaker than the national one, and gives
 * the stricter of the two. `updateWindow` is scheduling, not security: an institution picks its own.
 */
type Floor = NationalFloor<PolicySettings>;

/** A setting where `true` is the stricter value (required) or `false` is (allowed). */
type AllowedFlag =
  'cameraAllowed' | 'usbDataAllowed' | 'screenshotsAllowed' | 'developerOptionsAllowed' | 'allowDesktop';
const allowed = (field: AllowedFlag): Floor => ({
  field,
  weaker: (o, n) => o[field] && !n[field],
  stricter: (o, n) => ({ [field]: o[field] && n[field] }),
});

/** A number where smaller (`at most`) or larger (`at least`) is stricter. */
type Limit = 'maxAttestationAgeHours' | 'graceHours' | 'checkInIntervalSeconds';
const atMost = (field: Limit): Floor => ({
  field,
  weaker: (o, n) => o[field] > n[field],
  stricter: (o, n) => ({ [field]: Math.min(o[field], n[field]) }),
});

const patch = (s: PolicySettings) => (s.minimumPatchLevel ? patchMonthOf(s.minimumPatchLevel) : 0);

export const POLICY_FLOORS: readonly Floor[] = [
  {
    field: 'screenLock.required',
    weaker: (o, n) => n.screenLock.required && !o.screenLock.required,
    stricter: () => ({}), // merged with the other screen lock fields below
  },
  // The length and idle floors bind only where the national policy requires a screen lock at all.
  {
    field: 'screenLock.minLength',
    weaker: (o, n) => n.screenLock.required && o.screenLock.minLength < n.screenLock.minLength,
    stricter: () => ({}),
  },
  {
    field: 'screenLock.maxIdleSeconds',
    weaker: (o, n) => n.screenLock.required && o.screenLock.maxIdleSeconds > n.screenLock.maxIdleSeconds,
    stricter: (o, n) =>
      n.screenLock.required
        ? {
            screenLock: {
              required: true,
              minLength: Math.max(o.screenLock.minLength, n.screenLock.minLength),
              maxIdleSeconds: Math.min(o.screenLock.maxIdleSeconds, n.screenLock.maxIdleSeconds),
            },
          }
        : {},
  },
  allowed('cameraAllowed'),
  allowed('allowDesktop'),
  allowed('usbDataAllowed'),
  allowed('screenshotsAllowed'),
  allowed('developerOptionsAllowed'),
  {
    // A national allow-list bounds an institution's: no list, or a package outside it, is weaker.
    field: 'allowedApps',
    weaker: (o, n) =>
      !!n.allowedApps && (!o.allowedApps || missingFrom(n.allowedApps, o.allowedApps).length > 0),
    stricter: (o, n) => {
      if (!n.allowedApps) return {};
      const kept = (o.allowedApps ?? n.allowedApps).filter((p) => n.allowedApps?.includes(p));
      // The national required apps stay installable (the schema's rule: required apps are allowed).
      return { allowedApps: [...kept, ...missingFrom(kept, n.requiredApps)] };
    },
  },
  {
    field: 'requiredApps',
    weaker: (o, n) => missingFrom(o.requiredApps, n.requiredApps).length > 0,
    // An app the institution requires but a national allow-list (tightened later) no longer allows is dropped:
    // the national list wins, and a required app must be allowed (the schema's rule).
    stricter: (o, n) => {
      const own = o.requiredApps.filter((p) => !n.allowedApps || n.allowedApps.includes(p));
      return { requiredApps: [...own, ...missingFrom(own, n.requiredApps)] };
    },
  },
  atMost('maxAttestationAgeHours'),
  {
    field: 'minimumPatchLevel',
    weaker: (o, n) => patch(o) < patch(n),
    stricter: (o, n) => ({
      minimumPatchLevel: patch(o) >= patch(n) ? o.minimumPatchLevel : n.minimumPatchLevel,
    }),
  },
  atMost('graceHours'),
  atMost('checkInIntervalSeconds'),
];

/** The settings of an institution's policy that are weaker than the national policy's (empty: none). */
export function weakerThanNational(own: PolicySettings, national: PolicySettings): string[] {
  return weakerThanFloors(POLICY_FLOORS, own, national);
}

/**
 * The settings an institution's handsets follow: its own, raised to the national floors wherever the national
 * policy is stricter (a national policy tightened after the institution stored its own binds at once).
 */
export function withNationalFloors(own: PolicySettings, national: PolicySettings): PolicySettings {
  return raisedToFloors(POLICY_FLOORS, own, national);
}
