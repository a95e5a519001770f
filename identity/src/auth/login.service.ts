import { createHash } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { SIM_OWNERSHIP, type SimOwnership } from '@pakawaaz/core-network';
import { AuditService, LOGGER, type Amr, type Logger } from '@pakawaaz/platform';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { identityError } from '../identity.errors.js';
import { MfaRepository } from '../mfa/mfa.repository.js';
import { TotpService } from '../mfa/totp.service.js';
import { verifyPassword } from '../passwords/password-hasher.js';
import { withMfa, type Acr } from '../sessions/session-policy.js';
import { SessionsService, type ClientMeta, type SessionTokens } from '../sessions/sessions.service.js';
import { SIGNING_KEY } from '../tokens/token.service.js';
import type { SigningKey } from '../tokens/access-token.js';
import { UsersRepository, type UserRow } from '../users/users.repository.js';
import { DEVICE_TRUST, type DeviceTrust } from '../device-auth/device-trust.port.js';
import { LoginThrottle } from './login-throttle.js';
import {
  issueLoginTicket,
  LOGIN_TICKET_TTL_SECONDS,
  verifyLoginTicket,
  type LoginTicket,
} from './login-ticket.js';
import { loginProgress, type AccountFactors, type FactorName } from './login-policy.js';

export type LoginStep =
  | ({ status: 'authenticated' } & SessionTokens)
  | { status: 'mfa_required'; ticket: string; expiresIn: number; amr: Amr[]; factors: FactorName[] }
  | { status: 'password_change_required'; ticket: string; expiresIn: number };

const WRONG = 'Wrong username or password.';

/** What a login ticket is bound to: the password hash and the last change to the account. */
export function accountVersion(user: UserRow): string {
  return createHash('sha256')
    .update(`${user.passwordHash}|${user.updatedAt.toISOString()}`)
    .digest('base64url')
    .slice(0, 22);
}

/**
 * Multi-factor sign-in: the password first, then whatever second factors the account's floor and the
 * client's requested assurance need (TOTP or a recovery code, the SIM, the device), carried between steps in
 * a signed login ticket. Every failure answers the same `invalid_credentials`, counts towards lock-out and
 * is throttled per account and per address.
 */
@Injectable()
export class LoginService {
  constructor(
    private readonly users: UsersRepository,
    private readonly mfa: MfaRepository,
    private readonly totp: TotpService,
    private readonly sessions: SessionsService,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditService,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(SIM_OWNERSHIP) private readonly sims?: SimOwnership,
    @Optional() @Inject(DEVICE_TRUST) private readonly devices?: DeviceTrust,
  ) {}

  async password(username: string, password: string, wanted: Acr, meta: ClientMeta): Promise<LoginStep> {
    const name = username.trim().toLowerCase();
    this.throttle.attempt(name, meta.ip);
    const user = await this.users.findByUsername(name);
    const ok = await verifyPassword(user?.passwordHash, password);
    if (!user || !ok || !this.usable(user)) return this.fail(user, 'password', meta, WRONG);
    if (user.mustChangePassword)
      return {
        status: 'password_change_required',
        ticket: await this.ticket({ sub: user.id, amr: ['pwd'], wanted, stage: 'password-change' }, user),
        expiresIn: LOGIN_TICKET_TTL_SECONDS,
      };
    return this.advance(user, { sub: user.id, amr: ['pwd'], wanted, stage: 'factors' }, meta);
  }

  async totpCode(ticketText: string, code: string, meta: ClientMeta): Promise<LoginStep> {
    const { user, ticket } = await this.open(ticketText, meta);
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
    const { user, ticket } = await this.open(ticketText, meta);
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
    const { user, ticket } = await this.open(ticketText, meta);
    return this.advance(user, { ...ticket, amr: [...ticket.amr, method], ...(x5t ? { x5t } : {}) }, meta);
  }

  /** Records a failed SIM or device proof against the ticket's account. */
  async factorFailed(ticketText: string, factor: string, meta: ClientMeta): Promise<never> {
    const { user } = await this.open(ticketText, meta);
    return this.fail(user, factor, meta, 'The SIM or device could not be verified.');
  }

  /** Resolves a ticket for a factor that needs the account (SIM ownership, device binding). */
  async open(
    ticketText: string,
    meta: ClientMeta,
    stage: LoginTicket['stage'] = 'factors',
  ): Promise<{ user: UserRow; ticket: LoginTicket }> {
    const ticket = await verifyLoginTicket(ticketText, this.key, this.config.issuer, new Date());
    if (!ticket || ticket.stage !== stage)
      throw identityError('login_ticket_invalid', 'This sign-in expired: start again with the password.');
    this.throttle.attempt(ticket.sub, meta.ip);
    const user = await this.users.findById(ticket.sub);
    const current =
      user !== undefined &&
      this.usable(user) &&
      ticket.ver === accountVersion(user) &&
      (stage !== 'password-change' || user.mustChangePassword);
    if (!user || !current)
      throw identityError('login_ticket_invalid', 'This sign-in expired: start again with the password.');
    return { user, ticket };
  }

  async accountFactors(user: UserRow): Promise<AccountFactors> {
    const [totp, codes, sims] = await Promise.all([
      this.mfa.totp(user.id),
      this.mfa.unusedRecoveryCodes(user.id),
      user.kind === 'official' && this.sims ? this.simsOf(user) : Promise.resolve([]),
    ]);
    return {
      kind: user.kind,
      totp: totp?.status === 'active',
      recoveryCodes: codes.length > 0,
      sim: sims.some((s) => s.status === 'active'),
      // Barred SIMs count too (a lost handset must not leave the password alone); unknown without the port.
      simAssigned: user.kind === 'official' && (sims.length > 0 || !this.sims),
      device: this.devices !== undefined,
    };
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
          `This account cannot reach ${ticket.wanted}: it has no further factor to offer.`,
        );
      return {
        status: 'mfa_required',
        ticket: await this.ticket({ ...ticket, amr }, user),
        expiresIn: LOGIN_TICKET_TTL_SECONDS,
        amr,
        factors: progress.factors,
      };
    }
    await this.users.recordSuccess(user.id, new Date());
    const tokens = await this.sessions.start(user, amr, progress.acr, {
      ...meta,
      certThumbprint: ticket.x5t ?? null,
    });
    await this.audit.record({
      actor: { type: user.kind, id: user.id },
      action: 'identity.user.signed-in',
      target: `user:${user.username}`,
      details: {
        amr,
        acr: progress.acr,
        session: tokens.sessionId,
        ...(tokens.withheldRoles.length ? { withheldRoles: tokens.withheldRoles } : {}),
      },
    });
    return { status: 'authenticated', ...tokens };
  }

  usable(user: UserRow): boolean {
    return user.status === 'active' && user.lockedAt === null;
  }

  async fail(user: UserRow | undefined, factor: string, meta: ClientMeta, message: string): Promise<never> {
    await this.recordFailure(user, factor, meta.ip);
    throw identityError('invalid_credentials', message);
  }

  /** Counts a failed step towards lock-out (auditing the lock itself) and logs it without any secret. */
  async recordFailure(
    user: UserRow | undefined,
    factor: string,
    ip: string | null | undefined,
  ): Promise<void> {
    if (user) {
      const { failures, locked } = await this.users.recordFailure(
        user.id,
        this.config.lockoutThreshold,
        new Date(),
      );
      if (locked && failures === this.config.lockoutThreshold)
        await this.audit.record({
          actor: { type: 'system', id: 'identity' },
          action: 'identity.user.locked',
          target: `user:${user.id}`,
          details: { failures },
        });
    }
    this.logger.warn({ factor, ip: ip ?? null }, 'sign-in step failed');
  }

  private ticket(t: LoginTicket, user: UserRow): Promise<string> {
    return issueLoginTicket({ ...t, ver: accountVersion(user) }, this.key, this.config.issuer, new Date());
  }
}
