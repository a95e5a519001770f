import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  DEVICE_AUTHENTICATOR,
  DPOP_SETTINGS,
  enrolledDesktop,
  dpopOrigins,
  MemoryDpopReplay,
  platformError,
  verifyDpopProof,
  type DeviceAuthenticator,
  type DpopSettings,
  type Principal,
} from '@pakawaaz/platform';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import type { SigningKey } from './access-token.js';
import { accessTokenChecker, type AccessTokenCheck } from './access-token-check.js';
import { SIGNING_KEY, TokenService } from './token.service.js';

export const DPOP_TOKEN_PATH = '/api/v1/auth/token/dpop';

export type DpopTokenRequest = {
  /** The session's access token the caller authenticated with (Bearer). */
  token: string;
  /** The DPoP header: a proof for this request, signed by the key to bind. */
  proof: unknown;
  host: unknown;
  encrypted: boolean;
};

/**
 * RFC 9449 §5 for a desktop device (the officials' web chat): the session's access token, presented with a
 * DPoP proof of the browser's device key carrying its desktop certificate (`x5c`), is re-issued bound to that key (`cnf.jkt`, RFC 9449 §6) — same
 * session, claims and expiry, so it outlives nothing. Device routes take only a bound token from a desktop,
 * and only with a proof of that key; the guard refuses a bound token as a bearer token anywhere else.
 */
@Injectable()
export class DpopTokenService {
  private readonly check: AccessTokenCheck;
  private readonly dpop: DpopSettings;

  constructor(
    @Inject(SIGNING_KEY) key: SigningKey,
    @Inject(IDENTITY_CONFIG) config: IdentityConfig,
    private readonly tokens: TokenService,
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
    const origins = dpopOrigins(this.dpop.origins, req);
    const proof = verifyDpopProof(req.proof, {
      method: 'POST',
      path: DPOP_TOKEN_PATH,
      origins,
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
    const { sub, typ, name, inst, roles, amr, acr, sid, exp } = claims;
    const { accessToken, expiresIn } = await this.tokens.issueAccessToken(
      { sub, typ, name, inst, roles, amr, acr, sid, cnf: { jkt: proof.jkt } },
      Math.max(1, exp - Math.floor(now.getTime() / 1000)),
    );
    return { accessToken, tokenType: 'DPoP' as const, expiresIn };
  }
}
