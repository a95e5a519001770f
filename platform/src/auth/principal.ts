/** Roles of NOC operators and API tokens (identity scopes some of them to an institution). */
export const ROLES = [
  'viewer',
  'sim-operator',
  'network-admin',
  'security-officer',
  'device-admin',
  'app-reviewer',
  'billing',
  'super-admin',
] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (v: string): v is Role => (ROLES as readonly string[]).includes(v);

/** Authentication method references (RFC 8176) carried in tokens. */
export type Amr = 'pwd' | 'otp' | 'hwk' | 'swk' | 'sim' | 'mfa' | 'pop';

/** Who performed an action: an operator or official (by token), an automation token, or the system itself. */
export type Actor = { readonly type: 'operator' | 'official' | 'api-token' | 'system'; readonly id: string };

/** The authenticated caller of a request, as established by the token verifier. */
export type Principal = {
  readonly actor: Actor;
  /** Display name for the NOC and audit (username, token name). */
  readonly name: string;
  readonly roles: readonly Role[];
  /** Institution the caller belongs to, if any. */
  readonly institutionId: string | null;
  readonly amr: readonly Amr[];
  readonly acr: string | null;
  /** Token id (JWT jti or API token id) for revocation and audit. */
  readonly tokenId: string;
  /** The sign-in session an access token belongs to (absent for API tokens). */
  readonly sessionId?: string;
  /** RFC 8705: base64url SHA-256 of the device certificate a handset's token is bound to. */
  readonly certThumbprint?: string;
};

export const SYSTEM_ACTOR: Actor = { type: 'system', id: 'pakawaaz' };
