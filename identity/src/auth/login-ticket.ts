import { errors } from 'jose';
import { signCompactJws, verifyOwnEs256Jwt, type Amr } from '@pakawaaz/platform';
import type { Acr } from '../sessions/session-policy.js';
import type { SigningKey } from '../tokens/access-token.js';

/**
 * A sign-in in progress, between factors: what was proven so far, signed by the token key. It is stateless
 * (any node can continue the sign-in) and cannot be mistaken for an access token: its own `typ` and
 * audience. Each factor it enables is itself single-use (TOTP steps, SIM conversations, device nonces).
 */
export type LoginTicket = {
  readonly sub: string;
  readonly amr: readonly Amr[];
  readonly wanted: Acr;
  /**
   * `password-change`: an administrator reset the password; only changing it is allowed next.
   * `totp-enrolment`: an administrator removed the second factors; only enrolling a new authenticator is.
   */
  readonly stage: LoginStage;
  /** base64url SHA-256 of a device certificate already proven in this sign-in. */
  readonly x5t?: string | undefined;
  /**
   * The account's version when the ticket was issued (a digest of its password hash and last change): a
   * password reset or change, or any administrator's change to the account, ends sign-ins in progress.
   */
  readonly ver?: string | undefined;
};

export type LoginStage = 'factors' | 'password-change' | 'totp-enrolment';
const STAGES: readonly string[] = ['factors', 'password-change', 'totp-enrolment'] satisfies LoginStage[];

const TYP = 'login+jwt';
const AUDIENCE = 'pakawaaz-login';
export const LOGIN_TICKET_TTL_SECONDS = 300;

export async function issueLoginTicket(
  t: LoginTicket,
  key: SigningKey,
  issuer: string,
  now: Date,
): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return signCompactJws(
    key.signer,
    { alg: 'ES256', kid: key.kid, typ: TYP },
    {
      amr: [...t.amr],
      wanted: t.wanted,
      stage: t.stage,
      ...(t.x5t ? { x5t: t.x5t } : {}),
      ...(t.ver ? { ver: t.ver } : {}),
      sub: t.sub,
      iss: issuer,
      aud: AUDIENCE,
      iat,
      exp: iat + LOGIN_TICKET_TTL_SECONDS,
    },
  );
}

const ACRS = ['aal1', 'aal2', 'aal3'];

export async function verifyLoginTicket(
  token: string,
  key: SigningKey,
  issuer: string,
  now: Date,
): Promise<LoginTicket | null> {
  if (token.length > 4096) return null;
  try {
    const { payload: p } = await verifyOwnEs256Jwt(token, key.publicKey, {
      typ: TYP,
      issuer,
      audience: AUDIENCE,
      currentDate: now,
      requiredClaims: ['sub', 'exp'],
    });
    const ok =
      typeof p.sub === 'string' &&
      Array.isArray(p.amr) &&
      p.amr.every((m) => typeof m === 'string') &&
      typeof p.wanted === 'string' &&
      ACRS.includes(p.wanted) &&
      typeof p.stage === 'string' &&
      STAGES.includes(p.stage) &&
      (p.x5t === undefined || typeof p.x5t === 'string') &&
      (p.ver === undefined || typeof p.ver === 'string');
    if (!ok) return null;
    return {
      sub: p.sub as string,
      amr: p.amr as Amr[],
      wanted: p.wanted as Acr,
      stage: p.stage as LoginTicket['stage'],
      x5t: p.x5t as string | undefined,
      ver: p.ver as string | undefined,
    };
  } catch (err) {
    if (err instanceof errors.JOSEError) return null;
    throw err;
  }
}
