import type { ActorKind, Amr, Role } from './registry.js';

export type { ActorKind, Amr, Role } from './registry.js';

/** Who performed an action: an operator or official (by token), an automation token, the system itself, … */
export type Actor = { readonly type: ActorKind; readonly id: string };

/**
 * Whose rows a principal may see and act on. `national`: every row (super-admin, operators and tokens
 * without an institution). `institution`: rows of these institutions only — the principal's own and its
 * descendants (a ministry's operator sees its departments). Rows that belong to no institution (national
 * infrastructure) are outside every institution scope.
 */
export type PrincipalScope =
  | { readonly kind: 'national' }
  | { readonly kind: 'institution'; readonly institutionIds: readonly string[] };

/** The authenticated caller of a request, as established by the token verifier. */
export type Principal = {
  readonly actor: Actor;
  /** Display name for the NOC and audit (username, token name). */
  readonly name: string;
  readonly roles: readonly Role[];
  /** Institution the caller belongs to, if any. */
  readonly institutionId: string | null;
  /** Whose rows the caller may see and act on (computed by the verifier from `institutionId`). */
  readonly scope: PrincipalScope;
  readonly amr: readonly Amr[];
  readonly acr: string | null;
  /** Token id (JWT jti or API token id) for revocation and audit. */
  readonly tokenId: string;
  /** The sign-in session an access token belongs to (absent for API tokens). */
  readonly sessionId?: string;
  /** RFC 8705: base64url SHA-256 of the device certificate a handset's token is bound to. */
  readonly certThumbprint?: string;
  /**
   * When the session's sign-in proved its factors (OIDC `auth_time`, seconds since the epoch); kept by a
   * refresh. Absent for API tokens. What a route needing a recent sign-in checks (requireRecentSignIn).
   */
  readonly authTime?: number;
  /** RFC 9449 §6: the JWK thumbprint of the desktop device key an official's token is bound to (`cnf.jkt`). */
  readonly dpopJkt?: string;
  /**
   * The token is unbound but its session was bound to a desktop's DPoP key since (RFC 9449 §5): the sign-in's
   * token, which the guard refuses but on routes marked @AcceptsUnboundSessionToken().
   */
  readonly sessionDpopBound?: true;
  /**
   * An API token's owner: the person whose rights bound the token; for a token without one (the bootstrap
   * token's descendants), the first token of its chain, whose holder made them all. Absent for people, who
   * act as themselves, and for a chain's first token. See personOf.
   */
  readonly onBehalfOf?: Actor;
};

/**
 * The person behind a principal: an API token's owner, else the actor itself. Rules that count people —
 * two distinct approvers, "not the uploader" — count persons, so one person acting in the NOC and through
 * their CI token is still one person.
 */
export function personOf(p: Pick<Principal, 'actor' | 'onBehalfOf'>): Actor {
  return p.onBehalfOf ?? p.actor;
}

/** personOf as a stable string (`operator:<uuid>`), for columns that record who did something. */
export const personKey = (p: Pick<Principal, 'actor' | 'onBehalfOf'>): string => {
  const a = personOf(p);
  return `${a.type}:${a.id}`;
};

export const SYSTEM_ACTOR: Actor = { type: 'system', id: 'pakawaaz' };
