import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  DEVICE_AUTHENTICATOR,
  DPOP_SETTINGS,
  enrolledDesktop,
  EVENT_BUS,
  type EventBus,
  MemoryDpopReplay,
  platformError,
  verifyDpopProof,
  type DeviceAuthenticator,
  type DpopSettings,
  type Principal,
} from '@pakawaaz/platform';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { SESSION_CACHE, type SessionCacheHandle } from '../sessions/session-cache.provider.js';
import { SessionBound } from '../sessions/sessions.events.js';
import { SessionsRepository } from '../sessions/sessions.repository.js';
import type { SigningKey } from './access-token.js';
import { accessTokenChecker, type AccessTokenCheck } from './access-token-check.js';
import { SIGNING_KEY, TokenService } from './token.service.js';

export const DPOP_TOKEN_PATH = '/api/v1/auth/token/dpop';
export const REFRESH_PATH = '/api/v1/auth/refresh';

export type DpopTokenRequest = {
  /** The session's access token the caller authenticated with (Bearer). */
  token: string;
  /** The DPoP header: a proof for this request, signed by the key to bind. */
  proof: unknown;
};

/**
 * RFC 9449 §5 for a desktop device (the officials' web chat): the session's access token, presented with a
 * DPoP proof of the browser's device key carrying its desktop certificate (`x5c`), is re-issued bound to that key (`cnf.jkt`, RFC 9449 §6) — same
 * session, claims and expiry, so it outlives nothing. Device routes take only a bound token from a desktop,
 * and only with a proof of that key; the guard refuses a bound token as a bearer token anywhere else, and the
 * sign-in's unbound token of the bound session everywhere but logout and this exchange.
 * The session is bound to that key from then on (RFC 9449 §5, a public client): its refresh token is
 * refreshed only with a proof of the key (refreshProof), into tokens bound to it.
 */
@Injectable()
export class DpopTokenService {
  private readonly check: AccessTokenCheck;
  private readonly dpop: DpopSettings;

  constructor(
    @Inject(SIGNING_KEY) key: SigningKey,
    @Inject(IDENTITY_CONFIG) config: IdentityConfig,
    private readonly tokens: TokenService,
    private readonly sessions: SessionsRepository,
    @Inject(SESSION_CACHE) private readonly cache: SessionCacheHandle,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Optional() @Inject(DPOP_SETTINGS) dpop?: DpopSettings | null,
    @Optional() @Inject(DEVICE_AUTHENTICATOR) private readonly devices?: DeviceAuthenticator | null,
  ) {
    this.check = accessTokenChecker(key, config.issuer);
    this.dpop = dpop ?? { replay: new MemoryDpopReplay(), origins: [] };
  }

  async bind(principal: Principal, req: DpopTokenRequest) {
    if (!principal.sessionId || principal.certThumbprint || principal.dpopJkt)
      throw platformError(
        'forbidden',
        'Only a signed-in session’s unbound access token is re-issued bound to a DPoP key (not an API token or a handset’s).',
      );
    if (typeof req.proof !== 'string')
      throw platformError('dpop_proof_invalid', 'Send the DPoP header: a proof signed by the key to bind.');
    const proof = verifyDpopProof(req.proof, {
      method: 'POST',
      path: DPOP_TOKEN_PATH,
      origins: this.dpop.origins,
      accessToken: req.token,
      certificate: true,
    });
    if (!proof.ok) throw platformError('dpop_proof_invalid', `The DPoP proof is refused: ${proof.why}.`);
    const now = new Date();
    const claims = await this.check(req.token, now);
    if (!claims || claims.sid !== principal.sessionId)
      throw platformError('unauthenticated', 'Sign in again: the access token is invalid or expired.');
    // The key must be an enrolled desktop's that device management accepts now: live, this official's, and
    // allowed by the device policy in force (not only until a retirement that may not have run yet).
    await enrolledDesktop(proof.chain, principal.actor.id, this.devices);
    if (!(await this.dpop.replay.spend(proof)))
      throw platformError('dpop_proof_invalid', 'The DPoP proof is refused: it was used before (jti).');
    if (!(await this.sessions.bindDpop(claims.sid, proof.jkt)))
      throw platformError(
        'dpop_binding_failed',
        'This session is bound to another device key already: sign in again in this browser.',
      );
    // This node sees the binding at once (the sign-in's token is refused from now on); the others through the
    // bus (SessionBound), their 5 s recheck bounding a lost event.
    this.cache.forget(claims.sid);
    await this.bus.publish(SessionBound.create({ sessionId: claims.sid, userId: principal.actor.id }));
    const { sub, typ, name, inst, roles, amr, acr, sid, exp, auth_time } = claims;
    const { accessToken, expiresIn } = await this.tokens.issueAccessToken(
      { sub, typ, name, inst, roles, amr, acr, sid, auth_time, cnf: { jkt: proof.jkt } },
      Math.max(1, exp - Math.floor(now.getTime() / 1000)),
    );
    return { accessToken, tokenType: 'DPoP' as const, expiresIn };
  }

  /**
   * RFC 9449 §5: the refresh of a session bound to a DPoP key needs a proof of that key for this request
   * (POST /auth/refresh, no `ath`: no access token goes with it), carrying the desktop certificate (`x5c`) of
   * a desktop device management still accepts as `userId`'s: retiring or wiping the desktop ends the
   * session's renewals. Spends the proof; throws when it is missing, refused, of another key or of a desktop
   * no longer enrolled — before the refresh token is spent, so a thief's attempt costs its owner nothing.
   */
  async refreshProof(proof: unknown, jkt: string, userId: string): Promise<void> {
    if (typeof proof !== 'string')
      throw platformError(
        'dpop_proof_invalid',
        'This session is bound to a device key (DPoP): send its refresh token with a DPoP proof of that key.',
      );
    const checked = verifyDpopProof(proof, {
      method: 'POST',
      path: REFRESH_PATH,
      origins: this.dpop.origins,
      certificate: false,
    });
    if (!checked.ok) throw platformError('dpop_proof_invalid', `The DPoP proof is refused: ${checked.why}.`);
    if (checked.jkt !== jkt)
      throw platformError(
        'dpop_binding_failed',
        'This session is bound to another device key (DPoP): refresh it from the browser that holds that key.',
      );
    if (checked.chain.length === 0)
      throw platformError(
        'dpop_proof_invalid',
        'The DPoP proof is refused: x5c must carry the desktop device certificate.',
      );
    await enrolledDesktop(checked.chain, userId, this.devices);
    if (!(await this.dpop.replay.spend(checked)))
      throw platformError('dpop_proof_invalid', 'The DPoP proof is refused: it was used before (jti).');
  }
}
