import type { Principal } from '@pakawaaz/platform';

export type Aal = 'aal1' | 'aal2' | 'aal3';
const ORDER: readonly string[] = ['aal1', 'aal2', 'aal3'];

/** What a route that mints a long-lived credential asks of the sign-in behind the caller's token. */
export type FreshSignInRule = { readonly maxAuthAgeSeconds: number; readonly acr: Aal };

/**
 * Why the caller's sign-in is not recent or strong enough (null when it is): its `auth_time` — the sign-in,
 * which a refresh keeps — at most `maxAuthAgeSeconds` ago (a little clock skew the other way allowed), and its
 * assurance level (`acr`: aal2 and up prove a second factor) at least the rule's. A token without
 * `auth_time` (issued before the claim existed, or an API token) is never recent.
 */
export function staleSignIn(
  p: Pick<Principal, 'authTime' | 'acr'>,
  rule: FreshSignInRule,
  nowMs: number,
): string | null {
  const age = p.authTime === undefined ? Infinity : nowMs / 1000 - p.authTime;
  if (!(age <= rule.maxAuthAgeSeconds && age >= -60))
    return `enrolling a desktop needs a sign-in of the last ${rule.maxAuthAgeSeconds} seconds`;
  if (ORDER.indexOf(p.acr ?? '') < ORDER.indexOf(rule.acr))
    return `enrolling a desktop needs a sign-in with a second factor (assurance ${rule.acr})`;
  return null;
}
