import { missingFrom, raisedToFloors, weakerThanFloors, type NationalFloor } from '@pakawaaz/platform';
import { DEFAULT_STORE_POLICY, type StorePolicy } from './publishing-rules.js';

/**
 * The national store policy is a floor, as the national device policy is (pure): an institution's store policy
 * may be stricter, never weaker. Its denied permissions include the national ones; under a national allow
 * list, its own is a list inside it (no list, any permission, is weaker); its target SDK floor is not lower;
 * it allows cleartext only where the national policy does. Debuggable APKs are refused whatever the policy.
 */
export const STORE_POLICY_FLOORS: readonly NationalFloor<StorePolicy>[] = [
  {
    field: 'permissionDeny',
    weaker: (o, n) => missingFrom(o.permissionDeny, n.permissionDeny).length > 0,
    stricter: (o, n) => ({
      permissionDeny: [...o.permissionDeny, ...missingFrom(o.permissionDeny, n.permissionDeny)],
    }),
  },
  {
    field: 'minTargetSdk',
    weaker: (o, n) => o.minTargetSdk < n.minTargetSdk,
    stricter: (o, n) => ({ minTargetSdk: Math.max(o.minTargetSdk, n.minTargetSdk) }),
  },
  {
    field: 'allowCleartext',
    weaker: (o, n) => o.allowCleartext && !n.allowCleartext,
    stricter: (o, n) => ({ allowCleartext: o.allowCleartext && n.allowCleartext }),
  },
  {
    field: 'permissionAllow',
    // Weaker when the institution's policy would accept a permission the national allow list leaves out: an
    // entry of its list that it also denies accepts nothing (deny wins: policyFindings), so it is no loosening.
    weaker: (o, n) =>
      n.permissionAllow !== null &&
      (o.permissionAllow === null ||
        missingFrom(n.permissionAllow, o.permissionAllow).some((p) => !o.permissionDeny.includes(p))),
    stricter: (o, n) => {
      const national = n.permissionAllow;
      if (national === null) return {};
      return { permissionAllow: (o.permissionAllow ?? national).filter((p) => national.includes(p)) };
    },
  },
];

/** The settings of an institution's store policy that are weaker than the national policy's (empty: none). */
export function storePolicyWeakerThanNational(own: StorePolicy, national: StorePolicy): string[] {
  return weakerThanFloors(STORE_POLICY_FLOORS, own, national);
}

/**
 * The store policy in force for an institution's uploads: its own raised to the national floors — the union
 * of the denied permissions, the intersection of the allow lists, the higher target SDK floor, cleartext only
 * where both allow it. A national policy tightened after the institution stored its own binds at once.
 */
export function effectiveStorePolicy(own: StorePolicy, national: StorePolicy): StorePolicy {
  return raisedToFloors(STORE_POLICY_FLOORS, own, national);
}

/**
 * The store policy in force for a scope, from what is stored: an institution's own raised to the national
 * policy, else the national policy itself — the built-in default when no national one is stored (it is the
 * national policy then, and so the floor).
 */
export function storePolicyInForce(
  own: StorePolicy | undefined,
  national: StorePolicy | undefined,
): StorePolicy {
  const floor = national ?? DEFAULT_STORE_POLICY;
  return own ? effectiveStorePolicy(own, floor) : floor;
}
