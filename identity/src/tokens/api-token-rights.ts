import { isRole, type Role } from '@pakawaaz/platform';

/**
 * The roles an API token may use now: its own roles, narrowed by the roles each party it answers to holds
 * today (the owner, and any token that created it). `super-admin` satisfies every role check, so a holder
 * of it keeps the token's roles whole. An empty result means the token must be refused.
 */
export function effectiveTokenRoles(
  tokenRoles: readonly string[],
  ...holders: readonly (readonly string[])[]
): Role[] {
  return tokenRoles
    .filter(isRole)
    .filter((role) => holders.every((held) => held.includes('super-admin') || held.includes(role)));
}
