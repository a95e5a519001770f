import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  AKA_VECTOR_SOURCE,
  SIM_OWNERSHIP,
  type AkaVectorSource,
  type SimOwnership,
} from '@pakawaaz/core-network';
import { KeyError, LOGGER, RolloutGate, type Logger } from '@pakawaaz/platform';
import { LoginFailures } from '../auth/login-failures.service.js';
import { passwordCheckAllowed } from '../auth/login-policy.js';
import { LoginThrottle } from '../auth/login-throttle.js';
import { usable } from '../auth/login-tickets.service.js';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { TotpService } from '../mfa/totp.service.js';
import { verifyPassword } from '../passwords/password-hasher.js';
import { SESSION_LIMITS } from '../sessions/session-policy.js';
import { UsersRepository, type UserRow } from '../users/users.repository.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { SECRET_BOX } from '../mfa/secret-box.provider.js';
import { signClass } from './radius-class.js';
import { EapIdentitiesService } from '../sim-auth/eap-identities.service.js';
import { papReason, type AuthEventReason } from '../auth-events/auth-event-reasons.js';
import { RadiusAuthLog } from './radius-auth-log.js';
import { RadiusEap, type EapOutcome } from './radius-eap.js';
import { mppeKeysFromMsk, type RadiusAttribute } from '@pakawaaz/radius';
import type { AccessDecision, AccessRequestContext } from './radius-handler.js';

const TOTP_DIGITS = 6;
const REJECT: AccessDecision = {
  decision: 'reject',
  attributes: [{ type: 'Reply-Message', value: 'Authentication failed.' }],
};

/**
 * Access-Requests from NAS clients: PAP with User-Password = password followed by the current 6-digit TOTP
 * code (so a RADIUS sign-in is always two factors), and EAP-AKA / EAP-AKA' with the SIM, producing
 * MS-MPPE keys for Wi-Fi and VPN. Every refusal is the same Access-Reject, whatever failed.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

@Injectable()
export class RadiusAccessService {
  private readonly eap: RadiusEap<UserRow> | null;

  constructor(
    private readonly users: UsersRepository,
    private readonly totp: TotpService,
    private readonly failures: LoginFailures,
    private readonly throttle: LoginThrottle,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    identities: EapIdentitiesService,
    private readonly log: RadiusAuthLog,
    private readonly rollout: RolloutGate,
    @Optional() @Inject(AKA_VECTOR_SOURCE) vectors?: AkaVectorSource,
    @Optional() @Inject(SIM_OWNERSHIP) private readonly sims?: SimOwnership,
  ) {
    this.eap =
      vectors && sims
        ? new RadiusEap(vectors, (imsi) => this.ownerOf(imsi), config.radius.eapNetworkName, identities)
        : null;
  }

  access(req: AccessRequestContext): Promise<AccessDecision> {
    return req.attributes.eapMessage ? this.eapAccess(req, req.attributes.eapMessage) : this.pap(req);
  }

  private async pap(req: AccessRequestContext): Promise<AccessDecision> {
    const name = req.attributes.userName?.trim().toLowerCase();
    const typed = req.attributes.password?.toString('utf8');
    // No account name holds a control character, and PostgreSQL refuses a NUL in a query: not a sign-in.
    if (!name || !typed || typed.length <= TOTP_DIGITS || CONTROL.test(name)) {
      this.log.pap(req, 'malformed_request');
      return REJECT;
    }
    // The same rules as the HTTP sign-in: back-off per account and calling station, the guess limit, and a
    // closed password step — PAP is password-first, so a closed step rejects it (the SIM over EAP-AKA works).
    const source = `nas:${req.client.id}:${req.attributes.callingStationId ?? ''}`;
    try {
      this.throttle.attempt(name, source);
    } catch {
      this.log.pap(req, 'throttled');
      return REJECT;
    }
    const password = typed.slice(0, -TOTP_DIGITS);
    const code = typed.slice(-TOTP_DIGITS);
    const user = await this.users.findByUsername(name);
    if (user && !passwordCheckAllowed(user, [], this.config.lockoutThreshold)) {
      await verifyPassword(undefined, password);
      await this.failures.failed({
        user,
        account: name,
        factor: 'radius-pap:closed',
        source,
        counted: false,
        channel: 'radius',
      });
      this.log.pap(req, 'password_closed', user);
      return REJECT;
    }
    const ok = await verifyPassword(user?.passwordHash, password);
    const check =
      user && ok && usable(user) && /^\d{6}$/.test(code) ? await this.totp.check(user.id, code) : 'invalid';
    const reason = papReason({ user, passwordOk: ok, codeWellFormed: /^\d{6}$/.test(code), totp: check });
    if (!user || check !== 'ok') {
      const factor = `radius-pap:${check}`;
      await this.failures.failed({ user, account: name, factor, source, channel: 'radius' });
      this.log.pap(req, reason === 'ok' ? 'wrong_password' : reason, user);
      return REJECT;
    }
    await this.failures.succeeded(user, source, 'radius');
    this.log.pap(req, 'ok', user);
    return { decision: 'accept', attributes: await this.welcome(user, null, req.client.id) };
  }

  private async eapAccess(req: AccessRequestContext, message: Buffer): Promise<AccessDecision> {
    const eap = this.eap;
    if (!eap) {
      this.log.eap(req, message, { kind: 'unavailable' }, {});
      return REJECT;
    }
    const state = req.attributes.state;
    const { value: outcome, note } = await this.log.eapRound(state, () => eap.handle(message, state));
    this.log.eap(req, message, outcome, note);
    return this.decide(outcome, req.client.id);
  }

  private async decide(outcome: EapOutcome<UserRow>, clientId: string): Promise<AccessDecision> {
    switch (outcome.kind) {
      case 'challenge':
        return {
          decision: 'challenge',
          attributes: [
            { type: 'EAP-Message', value: outcome.eap },
            { type: 'State', value: outcome.state },
          ],
        };
      case 'discard':
        return { decision: 'discard' };
      case 'failure':
        this.logger.info({ reason: outcome.reason }, 'RADIUS EAP-AKA failed');
        return {
          decision: 'reject',
          attributes: outcome.eap ? [{ type: 'EAP-Message', value: outcome.eap }] : [],
        };
      case 'success': {
        // The owner — an active subscriber of an active, unlocked official — was checked when the vector was
        // fetched, one round trip ago, and the vector itself is only claimed for an active subscriber.
        const user = outcome.owner;
        const { recvKey, sendKey } = mppeKeysFromMsk(outcome.msk);
        return {
          decision: 'accept',
          attributes: [
            { type: 'EAP-Message', value: outcome.eap },
            { type: 'MS-MPPE-Recv-Key', key: recvKey },
            { type: 'MS-MPPE-Send-Key', key: sendKey },
            { type: 'User-Name', value: outcome.identity.toString('latin1') },
            ...(await this.welcome(user, outcome.imsi, clientId)),
          ],
        };
      }
    }
  }

  /**
   * Reply-Message, Session-Timeout (AAL2's 12 h) and the Class that ties accounting to the official and SIM,
   * MACed and bound to this NAS (radius-class.ts).
   */
  private async welcome(user: UserRow, imsi: string | null, clientId: string): Promise<RadiusAttribute[]> {
    const info = {
      userId: user.id,
      institutionId: user.institutionId,
      imsi,
      clientId,
      issuedAt: Math.floor(Date.now() / 1000),
    };
    let cls: Buffer | null = null;
    try {
      cls = await signClass(info, (text) => this.box.mac('radius-class', text));
    } catch (err) {
      if (!(err instanceof KeyError && err.code === 'key_invalid')) throw err;
      // A release 0.1 key file has no MAC key: the session works, its accounting is stored unmetered.
      this.logger.warn(
        { key: 'identity-secrets' },
        'RADIUS Class not sent: the identity secrets key file (release 0.1) has no MAC key, so RADIUS usage is stored without the official',
      );
    }
    return [
      { type: 'Reply-Message', value: `Welcome, ${user.displayName}.`.slice(0, 200) },
      { type: 'Session-Timeout', value: SESSION_LIMITS.aal2.absoluteSeconds },
      ...(cls ? [{ type: 'Class' as const, value: cls }] : []),
    ];
  }

  /**
   * The active official an active SIM is assigned to (by user id, or username for older assignments), whose
   * institution's rollout phase enables SIM sign-in. A closed password step does not matter here: the SIM
   * is the possession factor that cannot be guessed.
   */
  private async ownerOf(imsi: string): Promise<UserRow | null> {
    const owner = await this.sims?.ownerOf(imsi);
    if (!owner) return this.refuse(imsi, null, 'unknown_sim');
    const user = (await this.users.findById(owner.userId)) ?? (await this.users.findByUsername(owner.userId));
    if (owner.status !== 'active') return this.refuse(imsi, user, 'barred_sim');
    if (!user || !usable(user)) return this.refuse(imsi, user, user ? 'sim_owner_disabled' : 'unknown_sim');
    // SIMs are officials' (core-network assigns no other): an operator's account never signs in with one.
    if (user.kind !== 'official') return this.refuse(imsi, user, 'sim_owner_not_official');
    // The official's institution's rollout phase decides whether it signs in with the SIM at all.
    if (!(await this.rollout.allows(user, 'sim-sign-in')))
      return this.refuse(imsi, user, 'capability_not_enabled');
    this.log.noteOwner(imsi, user, null);
    return user;
  }

  private refuse(imsi: string, user: UserRow | null | undefined, reason: AuthEventReason): null {
    this.log.noteOwner(imsi, user ?? null, reason);
    return null;
  }
}
