import { errors, type CryptoKey, type JWTPayload, type KeyObject } from 'jose';
import { signCompactJws, verifyOwnEs256Jwt, type Amr, type Role, type Signer } from '@pakawaaz/platform';

/** Claims of a Pakawaaz access token (DESIGN §3): RFC 9068-style JWT, ES256. */
export type AccessTokenClaims = {
  sub: string;
  /** Principal kind: operator (NOC) or official (handset). */
  typ: 'operator' | 'official';
  name: string;
  inst: string | null;
  roles: Role[];
  amr: Amr[];
  acr: string;
  /** Session id: revoking the session invalidates the token at once (identity checks it on every use). */
  sid: string;
  /**
   * Proof of possession: RFC 8705 `x5t#S256` binds a handset's token to its device certificate (base64url
   * SHA-256); RFC 9449 `jkt` binds a desktop device's token to its DPoP key (RFC 7638 thumbprint).
   */
  cnf?: { 'x5t#S256': string } | { jkt: string } | undefined;
  /**
   * OIDC `auth_time`: when the session's sign-in proved its factors (seconds since the epoch). A refresh keeps
   * it, so a route that needs a recent sign-in (a desktop's enrolment) tells a fresh one from a long session.
   */
  auth_time?: number | undefined;
};

/** The signing half stays in the key service (a file or an HSM); the public half verifies in memory. */
export type SigningKey = { kid: string; signer: Signer; publicKey: CryptoKey | KeyObject };

export const ACCESS_TOKEN_AUDIENCE = 'pakawaaz-api';
const JWT_TYPE = 'at+jwt';

export async function issueAccessToken(
  claims: AccessTokenClaims,
  key: SigningKey,
  opts: { issuer: string; ttlSeconds: number; now: Date; jti: string },
): Promise<string> {
  const iat = Math.floor(opts.now.getTime() / 1000);
  return signCompactJws(
    key.signer,
    { alg: 'ES256', kid: key.kid, typ: JWT_TYPE },
    {
      ...claims,
      iss: opts.issuer,
      aud: ACCESS_TOKEN_AUDIENCE,
      iat,
      nbf: iat,
      exp: iat + opts.ttlSeconds,
      jti: opts.jti,
    },
  );
}

export type VerifiedAccessToken = AccessTokenClaims & { jti: string; exp: number };

/** Verifies signature, algorithm, type, issuer, audience and lifetime; returns null for any invalid token. */
export async function verifyAccessToken(
  token: string,
  key: Pick<SigningKey, 'publicKey'>,
  opts: { issuer: string; now: Date },
): Promise<VerifiedAccessToken | null> {
  try {
    const { payload } = await verifyOwnEs256Jwt(token, key.publicKey, {
      typ: JWT_TYPE,
      issuer: opts.issuer,
      audience: ACCESS_TOKEN_AUDIENCE,
      currentDate: opts.now,
      requiredClaims: ['sub', 'jti', 'exp', 'iat'],
    });
    return isAccessPayload(payload) ? payload : null;
  } catch (err) {
    if (err instanceof errors.JOSEError) return null;
    throw err;
  }
}

function isAccessPayload(p: JWTPayload): p is JWTPayload & VerifiedAccessToken {
  return (
    typeof p.sub === 'string' &&
    (p.typ === 'operator' || p.typ === 'official') &&
    typeof p.name === 'string' &&
    Array.isArray(p.roles) &&
    Array.isArray(p.amr) &&
    typeof p.acr === 'string' &&
    typeof p.jti === 'string' &&
    typeof p.sid === 'string' &&
    (p.cnf === undefined || isCnf(p.cnf)) &&
    (p.auth_time === undefined || Number.isSafeInteger(p.auth_time))
  );
}

/** One binding, of one kind: a certificate's (RFC 8705) or a DPoP key's (RFC 9449). */
function isCnf(cnf: unknown): boolean {
  if (typeof cnf !== 'object' || cnf === null) return false;
  const c = cnf as Record<string, unknown>;
  return (typeof c['x5t#S256'] === 'string') !== (typeof c.jkt === 'string');
}
