import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { errors } from 'jose';
import { signCompactJws, verifyOwnEs256Jwt } from '@pakawaaz/platform';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { identityError } from '../identity.errors.js';
import { LoginService, type LoginStep } from '../auth/login.service.js';
import { LoginTickets } from '../auth/login-tickets.service.js';
import type { ClientMeta } from '../sessions/sessions.service.js';
import { SIGNING_KEY } from '../tokens/token.service.js';
import type { SigningKey } from '../tokens/access-token.js';
import { verifyDeviceChain, verifyPossession } from './device-certificate.js';
import { DEVICE_TRUST, type DeviceTrust } from './device-trust.port.js';

const CHALLENGE_TYP = 'device-challenge+jwt';
const CHALLENGE_TTL_SECONDS = 120;
const ticketDigest = (ticket: string) => createHash('sha256').update(ticket).digest('base64url').slice(0, 22);

/**
 * The device factor: the handset proves it holds the key of a certificate from the device CA that is bound
 * to the signing-in official and not revoked. The challenge is a short signed text (any node can check it);
 * the session's tokens are then bound to that certificate (RFC 8705 `cnf.x5t#S256`).
 */
@Injectable()
export class DeviceAuthService {
  constructor(
    private readonly login: LoginService,
    private readonly tickets: LoginTickets,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Optional() @Inject(DEVICE_TRUST) private readonly trust?: DeviceTrust,
  ) {}

  async challenge(ticket: string, meta: ClientMeta): Promise<{ challenge: string; expiresIn: number }> {
    this.available();
    const { user, ticket: t } = await this.tickets.openFactor(ticket, meta);
    const iat = Math.floor(Date.now() / 1000);
    // Bound to this sign-in's ticket: a captured challenge and signature are worthless for another sign-in.
    const challenge = await signCompactJws(
      this.key.signer,
      { alg: 'ES256', typ: CHALLENGE_TYP },
      {
        n: randomBytes(16).toString('base64url'),
        tk: ticketDigest(ticket),
        sub: user?.id ?? t.sub,
        iss: this.config.issuer,
        iat,
        exp: iat + CHALLENGE_TTL_SECONDS,
      },
    );
    return { challenge, expiresIn: CHALLENGE_TTL_SECONDS };
  }

  async prove(
    input: { ticket: string; challenge: string; certificateChain: Uint8Array[]; signature: Uint8Array },
    meta: ClientMeta,
  ): Promise<LoginStep> {
    const trust = this.available();
    const { user } = await this.tickets.openFactor(input.ticket, meta);
    const now = new Date();
    const sub = await this.challengeSubject(input.challenge, input.ticket, now);
    const chain = await verifyDeviceChain(input.certificateChain, await trust.anchors(), now);
    const binding = chain.ok ? await trust.bindingOf(chain.thumbprint) : null;
    const valid =
      user !== null &&
      sub === user.id &&
      chain.ok &&
      binding?.userId === user.id &&
      !(await trust.isRevoked(chain.serialHex)) &&
      verifyPossession(chain.leaf, input.challenge, input.signature);
    if (!valid || !chain.ok)
      return this.login.factorFailed(
        input.ticket,
        `device:${chain.ok ? 'binding-or-signature' : chain.problem}`,
        meta,
      );
    return this.login.addFactor(input.ticket, 'hwk', meta, chain.thumbprint);
  }

  private async challengeSubject(challenge: string, ticket: string, now: Date): Promise<string | null> {
    if (challenge.length > 2048) return null;
    try {
      const { payload } = await verifyOwnEs256Jwt(challenge, this.key.publicKey, {
        typ: CHALLENGE_TYP,
        issuer: this.config.issuer,
        currentDate: now,
      });
      return payload.tk === ticketDigest(ticket) ? (payload.sub ?? null) : null;
    } catch (err) {
      if (err instanceof errors.JOSEError) return null;
      throw err;
    }
  }

  private available(): DeviceTrust {
    if (!this.trust)
      throw identityError(
        'device_auth_unavailable',
        'Device certificates cannot be checked yet: device management (the device CA) is not set up on this system.',
      );
    return this.trust;
  }
}
