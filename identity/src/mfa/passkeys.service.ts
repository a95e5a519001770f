import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '@pakawaaz/platform';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { LoginService, type LoginStep } from '../auth/login.service.js';
import { LoginThrottle } from '../auth/login-throttle.js';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { identityError } from '../identity.errors.js';
import type { ClientMeta } from '../sessions/sessions.service.js';
import type { Ctx } from '../users/access.js';
import { UsersRepository, type UserRow } from '../users/users.repository.js';
import { MfaRepository, type PasskeyRow } from './mfa.repository.js';

const CHALLENGE_TTL_MS = 5 * 60_000;
/** With PAKAWAAZ_WEBAUTHN_ORIGINS unset, the embedded default: the NOC on localhost, whatever the port. */
const LOCALHOST_ORIGIN = /^http:\/\/localhost(:\d{1,5})?$/;

export type PasskeyView = Pick<
  PasskeyRow,
  'id' | 'name' | 'deviceType' | 'backedUp' | 'createdAt' | 'lastUsedAt'
>;

/**
 * Passkeys (WebAuthn) for NOC operators: phishing-resistant, bound to the NOC's origin. Registration and
 * sign-in need user verification, so a passkey sign-in is multi-factor (amr hwk + mfa, AAL3). Challenges
 * are stored and used once.
 */
@Injectable()
export class PasskeysService {
  constructor(
    private readonly repo: MfaRepository,
    private readonly users: UsersRepository,
    private readonly login: LoginService,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditService,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  async registrationOptions(user: UserRow): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.repo.passkeys(user.id);
    const options = await generateRegistrationOptions({
      rpName: this.config.webauthn.rpName,
      rpID: this.config.webauthn.rpId,
      userName: user.username,
      userDisplayName: user.displayName,
      userID: new TextEncoder().encode(user.id),
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    await this.repo.saveChallenge({
      challenge: options.challenge,
      purpose: 'register',
      userId: user.id,
      expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS),
    });
    return options;
  }

  async register(
    user: UserRow,
    response: RegistrationResponseJSON,
    name: string,
    ctx: Ctx,
  ): Promise<PasskeyView> {
    const { challenge, origin } = clientData(response.response.clientDataJSON);
    const stored = challenge ? await this.repo.takeChallenge(challenge, 'register', new Date()) : undefined;
    if (!stored || stored.userId !== user.id || !this.originAllowed(origin))
      throw identityError(
        'passkey_invalid',
        'The passkey registration expired or came from another site: try again.',
      );
    const v = await verifyRegistrationResponse({
      response,
      expectedChallenge: stored.challenge,
      expectedOrigin: origin,
      expectedRPID: this.config.webauthn.rpId,
      requireUserVerification: true,
    }).catch(() => null);
    if (!v?.verified) throw identityError('passkey_invalid', 'The passkey could not be verified: try again.');
    const { credential, credentialDeviceType, credentialBackedUp, aaguid } = v.registrationInfo;
    const row = {
      id: credential.id,
      userId: user.id,
      name,
      publicKey: Buffer.from(credential.publicKey),
      counter: credential.counter,
      transports: credential.transports ?? [],
      deviceType: credentialDeviceType,
      backedUp: credentialBackedUp,
      aaguid,
    };
    await this.repo.insertPasskey(row);
    await this.audit.record({
      actor: ctx.principal.actor,
      action: 'identity.passkey.registered',
      target: `user:${user.username}`,
      details: { passkey: row.id, name, deviceType: row.deviceType },
      requestId: ctx.requestId,
    });
    return {
      id: row.id,
      name,
      deviceType: row.deviceType,
      backedUp: row.backedUp,
      createdAt: new Date(),
      lastUsedAt: null,
    };
  }

  /**
   * Options for a usernameless (discoverable) passkey sign-in. Anyone may ask, so each address has a
   * budget, and the stored challenges are bounded (MfaRepository.saveChallenge).
   */
  async authenticationOptions(meta: ClientMeta): Promise<PublicKeyCredentialRequestOptionsJSON> {
    this.throttle.passkeyOptions(meta.ip);
    const options = await generateAuthenticationOptions({
      rpID: this.config.webauthn.rpId,
      userVerification: 'required',
    });
    await this.repo.saveChallenge(
      {
        challenge: options.challenge,
        purpose: 'authenticate',
        userId: null,
        expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS),
      },
      this.config.pendingPasskeyChallenges,
    );
    return options;
  }

  async authenticate(response: AuthenticationResponseJSON, meta: ClientMeta): Promise<LoginStep> {
    const { challenge, origin } = clientData(response.response.clientDataJSON);
    const stored = challenge
      ? await this.repo.takeChallenge(challenge, 'authenticate', new Date())
      : undefined;
    const allowed = this.originAllowed(origin);
    const passkey = stored && allowed ? await this.repo.passkey(response.id) : undefined;
    const user = passkey ? await this.users.findById(passkey.userId) : undefined;
    if (!stored || !passkey || !user || !allowed)
      return this.login.fail(user, 'passkey', meta, 'That passkey is not known here.');
    const v = await verifyAuthenticationResponse({
      response,
      expectedChallenge: stored.challenge,
      expectedOrigin: origin,
      expectedRPID: this.config.webauthn.rpId,
      credential: {
        id: passkey.id,
        publicKey: new Uint8Array(passkey.publicKey),
        counter: passkey.counter,
        transports: passkey.transports,
      },
      requireUserVerification: true,
    }).catch(() => null);
    // A closed password step does not concern a passkey: it cannot be guessed.
    if (!v?.verified || user.status !== 'active')
      return this.login.fail(user, 'passkey', meta, 'The passkey could not be verified.');
    await this.repo.touchPasskey(passkey.id, v.authenticationInfo.newCounter, new Date());
    return this.login.advance(
      user,
      { sub: user.id, amr: ['hwk', 'mfa'], wanted: 'aal3', stage: 'factors' },
      meta,
    );
  }

  async list(userId: string): Promise<PasskeyView[]> {
    return (await this.repo.passkeys(userId)).map(
      ({ id, name, deviceType, backedUp, createdAt, lastUsedAt }) => ({
        id,
        name,
        deviceType,
        backedUp,
        createdAt,
        lastUsedAt,
      }),
    );
  }

  async remove(user: UserRow, id: string, ctx: Ctx): Promise<void> {
    if (!(await this.repo.deletePasskey(user.id, id)))
      throw identityError('passkey_not_found', 'No such passkey on this account.');
    await this.audit.record({
      actor: ctx.principal.actor,
      action: 'identity.passkey.removed',
      target: `user:${user.username}`,
      details: { passkey: id },
      requestId: ctx.requestId,
    });
  }

  private originAllowed(origin: string | undefined): origin is string {
    if (!origin) return false;
    const origins = this.config.webauthn.origins;
    return origins
      ? origins.includes(origin)
      : LOCALHOST_ORIGIN.test(origin) && this.config.webauthn.rpId === 'localhost';
  }
}

/** The challenge and origin the browser signed (clientDataJSON, base64url JSON); undefined when unreadable. */
function clientData(encoded: string): { challenge?: string; origin?: string } {
  if (typeof encoded !== 'string' || encoded.length > 4096) return {};
  try {
    const data = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as {
      challenge?: unknown;
      origin?: unknown;
    };
    return {
      ...(typeof data.challenge === 'string' ? { challenge: data.challenge } : {}),
      ...(typeof data.origin === 'string' ? { origin: data.origin } : {}),
    };
  } catch {
    return {};
  }
}
