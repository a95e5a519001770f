import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { SIM_OWNERSHIP, type SimOwnership } from '@pakawaaz/core-network';
import { AuditService, RolloutGate, type Amr } from '@pakawaaz/platform';
import { AuthEventsService } from '../auth-events/auth-events.service.js';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { identityError } from '../identity.errors.js';
import { MfaRepository } from '../mfa/mfa.repository.js';
import { TotpService, type TotpEnrolment } from '../mfa/totp.service.js';
import { verifyPassword } from '../passwords/password-hasher.js';
import { withMfa, type Acr } from '../sessions/session-policy.js';
import { SessionsService, type ClientMeta, type SessionTokens } from '../sessions/sessions.service.js';
import { UsersRepository, type UserRow } from '../users/users.repository.js';
import { DEVICE_TRUST, type DeviceTrust } from '../device-auth/device-trust.port.js';
import { LoginFailures } from './login-failures.service.js';
import { LoginThrottle } from './login-throttle.js';
import { LOGIN_TICKET_TTL_SECONDS, type LoginTicket } from './login-ticket.js';
import { LoginTickets, usable } from './login-tickets.service.js';
import {
  loginProgress,
  passwordCheckAllowed,
  POSSESSION_AMR,
  type AccountFactors,
  type FactorName,
} from './login-policy.js';

export type LoginStep =
  | ({ status: 'authenticated'; recoveryCodes?: string[] } & SessionTokens)
  | { status: 'mfa_required'; ticket: string; expiresIn: number; amr: Amr[]; factors: FactorName[] }
  | { status: 'password_change_required'; ticket: string; expiresIn: number }
  | { status: 'totp_enrolment_required'; ticket: string; expiresIn: number; enrolment: TotpEnrolment };

/** Said for every failed password, whatever the reason — including a password step closed by attackers. */
const WRONG =
  'Wrong username or password. If you are sure of both: after many failed attempts an account accepts its password only after its SIM, device or a passkey — sign in with one of those first.';

/**
 * Multi-factor sign-in: the password first (or after a possession factor proved itself first), then
 * whatever second factors the account's floor and the client's requested assurance need (TOTP or a
 * recovery code, the SIM, the device), carried between steps in a signed login ticket. Every failure
 * answers the same `invalid_credentials`, counts towards the guess limit and backs off per account and
 * source (LoginFailures); at the limit the password step closes to sign-ins without a possession factor.
 */
@Injectable()
export class LoginService {
  constructor(
    private readonly users: UsersRepository,
    private readonly mfa: MfaRepository,
    private readonly totp: TotpService,
    private readonly sessions: SessionsService,
    private readonly throttle: LoginThrottle,
    private readonly failures: LoginFailures,
    private readonly audit: AuditService,
    private readonly tickets: LoginTickets,
    private readonly events: AuthEventsService,
    private readonly rollout: RolloutGate,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Optional() @Inject(SIM_OWNERSHIP) private readonly sims?: SimOwnership,
    @Optional() @Inject(DEVICE_TRUST) private readonly devices?: DeviceTrust,
  ) {}

  async password(username: string, password: string, wanted: Acr, meta: ClientMeta): Promise<LoginStep> {
    const name = username.trim().toLowerCase();
    this.throttle.attempt(name, meta.ip);
    const user = await this.users.findByUsername(name);
    if (user && !passwordCheckAllowed(user, [], this.config.lockoutThreshold)) {
      // The same work as a real check, so that timing tells nothing; the password itself is never looked at.
      await verifyPassword(undefined, password);
      return this.fail(user, 'password:closed', meta, WRONG, { account: name, counted: false });
    }
    const ok = await verifyPassword(user?.passwordHash, password);
    if (!user || !ok || !this.usable(user))
      return this.fail(user, 'password', meta, WRONG, { account: name });
    return this.afterPassword(user, { sub: user.id, amr: ['pwd'], wanted, stage: 'factors' }, meta);
  }

  /**
   * Possession first: a ticket with nothing proven, for the SIM or the device to prove themselves before
   * the password. Every name gets one — unknown and disabled accounts an id nobody has — with the same
   * factors (what this node can check), so that the step says nothing about the account.
   */
  async start(username: string, wanted: Acr, meta: ClientMeta): Promise<LoginStep> {
    const name = username.trim().toLowerCase();
    this.throttle.attempt(name, meta.ip);
    const factors: FactorName[] = [
      ...(this.sims ? ['sim' as const] : []),
      ...(this.devices ? ['device' as const] : []),
    ];
    if (!factors.length)
      throw identityError(
        'factor_not_available',
        'Neither the SIM nor the device can be checked on this system: sign in with a passkey, or with the password.',
      );
    const user = await this.users.findByUsername(name);
    const real = user && this.usable(user) ? user : undefined;
    const blank: LoginTicket = { sub: real?.id ?? randomUUID(), amr: [], wanted, stage: 'factors' };
    const ticket = real
      ? await this.tickets.issue(blank, real)
      : await this.tickets.issueUnbound({ ...blank, ver: randomUUID() });
    return { status: 'mfa_required', ticket, expiresIn: LOGIN_TICKET_TTL_SECONDS, amr: [], factors };
  }

  /** The password after the SIM or the device proved itself first — allowed also on a closed password step. */
  async passwordFactor(ticketText: string, password: string, meta: ClientMeta): Promise<LoginStep> {
    const { user, ticket } = await this.tickets.open(ticketText, meta);
    if (ticket.amr.includes('pwd') || !ticket.amr.some((m) => POSSESSION_AMR.includes(m)))
      throw identityError(
        'login_ticket_invalid',
        'Prove the SIM or the device first, then give the password.',
      );
    if (!passwordCheckAllowed(user, ticket.amr, this.config.lockoutThreshold)) {
      await verifyPassword(undefined, password);
      return this.fail(user, 'password-after-factor:closed', meta, WRONG, { counted: false });
    }
    if (!(await verifyPassword(user.passwordHash, password)))
      return this.fail(user, 'password-after-factor', meta, WRONG);
    return this.afterPassword(user, { ...ticket, amr: [...ticket.amr, 'pwd'] }, meta);
  }

  /** An administrator's reset forces a new password before anything else. */
  private async afterPassword(user: UserRow, ticket: LoginTicket, meta: ClientMeta): Promise<LoginStep> {
    if (user.mustChangePassword)
      return {
        status: 'password_change_required',
        ticket: await this.ticket({ ...ticket, stage: 'password-change' }, user),
        expiresIn: LOGIN_TICKET_TTL_SECONDS,
      };
    return this.advance(user, ticket, meta);
  }

  async totpCode(ticketText: string, code: string, meta: ClientMeta): Promise<LoginStep> {
    const { user, ticket } = await this.tickets.openAfterPassword(ticketText, meta);
    const result = await this.totp.check(user.id, code);
    if (result !== 'ok')
      return this.fail(
        user,
        `totp:${result}`,
        meta,
        'The code is wrong or was already used: wait for the next one.',
      );
    return this.advance(user, { ...ticket, amr: [...ticket.amr, 'otp'] }, meta);
  }

  async recoveryCode(ticketText: string, code: string, meta: ClientMeta): Promise<LoginStep> {
    const { user, ticket } = await this.tickets.openAfterPassword(ticketText, meta);
    if (!(await this.totp.useRecoveryCode(user.id, code)))
      return this.fail(user, 'recovery-code', meta, 'That recovery code is not valid or was used already.');
    await this.audit.record({
      actor: { type: user.kind, id: user.id },
      action: 'identity.recovery-code.used',
      target: `user:${user.id}`,
      details: { left: (await this.mfa.unusedRecoveryCodes(user.id)).length },
    });
    return this.advance(user, { ...ticket, amr: [...ticket.amr, 'otp'] }, meta);
  }

  /** Called by the SIM and device factors once they proved their part of a ticket's sign-in. */
  async addFactor(
    ticketText: string,
    method: 'sim' | 'hwk',
    meta: ClientMeta,
    x5t?: string,
  ): Promise<LoginStep> {
    const { user, ticket } = await this.tickets.open(ticketText, meta);
    return this.advance(user, { ...ticket, amr: [...ticket.amr, method], ...(x5t ? { x5t } : {}) }, meta);
  }

  /** Records a failed SIM or device proof against the ticket's account (if there is one). */
  async factorFailed(ticketText: string, factor: string, meta: ClientMeta): Promise<never> {
    const { user } = await this.tickets.openFactor(ticketText, meta);
    return this.fail(user ?? undefined, factor, meta, 'The SIM or device could not be verified.');
  }

  async accountFactors(user: UserRow): Promise<AccountFactors> {
    // Before its institution's rollout phase enables SIM sign-in, the SIM is neither offered nor required:
    // the official's floor is that of an official without a SIM (decision 0013). Only a known phase that
    // does not enable it lowers the floor: an institution the gate cannot find keeps the SIM required.
    const simEnabled = user.kind === 'official' && (await this.simPhaseAllows(user));
    const [totp, codes, sims, device] = await Promise.all([
      this.mfa.totp(user.id),
      this.mfa.unusedRecoveryCodes(user.id),
      simEnabled && this.sims ? this.simsOf(user) : Promise.resolve([]),
      // Offered to those who hold an enrolled handset (possession-first offers it to every name alike).
      this.devices ? this.devices.hasDevice(user.id) : Promise.resolve(false),
    ]);
    return {
      kind: user.kind,
      totp: totp?.status === 'active',
      recoveryCodes: codes.length > 0,
      sim: sims.some((s) => s.status === 'active'),
      // Barred SIMs count too (a lost handset must not leave the password alone); unknown without the port.
      simAssigned: simEnabled && (sims.length > 0 || !this.sims),
      device,
    };
  }

  private async simPhaseAllows(user: UserRow): Promise<boolean> {
    const verdict = await this.rollout.check(user, 'sim-sign-in');
    return verdict.allowed || verdict.phase === null;
  }

  /** SIMs assigned to the user by id, or by username (the subscriber's user may name either). */
  private async simsOf(user: UserRow) {
    const sims = this.sims;
    if (!sims) return [];
    return sims.simsOf([user.id, user.username]);
  }

  async advance(user: UserRow, ticket: LoginTicket, meta: ClientMeta): Promise<LoginStep> {
    const amr = withMfa(ticket.amr);
    const progress = loginProgress(await this.accountFactors(user), amr, ticket.wanted);
    if (!progress.done) {
      if (progress.factors.length === 0)
        throw identityError(
          'factor_not_available',
          `This account cannot reach ${ticket.wanted}: it has no further factor to offer. An official whose SIM was barred needs a new SIM (or the device).`,
        );
      return {
        status: 'mfa_required',
        ticket: await this.ticket({ ...ticket, amr }, user),
        expiresIn: LOGIN_TICKET_TTL_SECONDS,
        amr,
        factors: progress.factors,
      };
    }
    // After an administrator removed the second factors: the user enrols the new one, now, themselves.
    if (user.totpEnrolmentRequired && !amr.includes('otp'))
      return {
        status: 'totp_enrolment_required',
        ticket: await this.ticket({ ...ticket, amr, stage: 'totp-enrolment' }, user),
        expiresIn: LOGIN_TICKET_TTL_SECONDS,
        enrolment: await this.totp.begin(user),
      };
    return this.finish(user, amr, progress.acr, ticket, meta);
  }

  private async finish(
    user: UserRow,
    amr: Amr[],
    acr: Acr,
    ticket: LoginTicket,
    meta: ClientMeta,
  ): Promise<LoginStep> {
    await this.failures.succeeded(user, meta.ip, amr);
    this.events.record({
      channel: 'http',
      result: 'accept',
      reason: 'ok',
      method: amr.filter((m) => m !== 'mfa').join('+'),
      username: user.username,
      user,
      source: meta.ip,
    });
    const tokens = await this.sessions.start(user, amr, acr, { ...meta, certThumbprint: ticket.x5t ?? null });
    await this.audit.record({
      actor: { type: user.kind, id: user.id },
      action: 'identity.user.signed-in',
      target: `user:${user.username}`,
      details: {
        amr,
        acr,
        session: tokens.sessionId,
        ...(tokens.withheldRoles.length ? { withheldRoles: tokens.withheldRoles } : {}),
      },
    });
    return { status: 'authenticated', ...tokens };
  }

  usable(user: UserRow): boolean {
    return usable(user);
  }

  async fail(
    user: UserRow | undefined,
    factor: string,
    meta: ClientMeta,
    message: string,
    opts: { account?: string; counted?: boolean } = {},
  ): Promise<never> {
    await this.failures.failed({
      user,
      account: opts.account ?? user?.username ?? null,
      factor,
      source: meta.ip,
      counted: opts.counted ?? true,
    });
    throw identityError('invalid_credentials', message);
  }

  private ticket(t: LoginTicket, user: UserRow): Promise<string> {
    return this.tickets.issue(t, user);
  }
}
