import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { identityError } from '../identity.errors.js';
import type { ClientMeta } from '../sessions/sessions.service.js';
import type { SigningKey } from '../tokens/access-token.js';
import { SIGNING_KEY } from '../tokens/token.service.js';
import { UsersRepository, type UserRow } from '../users/users.repository.js';
import { LoginThrottle } from './login-throttle.js';
import { issueLoginTicket, verifyLoginTicket, type LoginStage, type LoginTicket } from './login-ticket.js';

const EXPIRED = 'This sign-in expired: start again.';

/** What a login ticket is bound to: the password hash and the last change to the account. */
export function accountVersion(user: UserRow): string {
  return createHash('sha256')
    .update(`${user.passwordHash}|${user.updatedAt.toISOString()}`)
    .digest('base64url')
    .slice(0, 22);
}

/**
 * Login tickets between sign-in steps: issued bound to the account's version, and opened again for the
 * next step — checking the signature, the stage, that the account is still usable and unchanged, and the
 * caller's back-off.
 */
@Injectable()
export class LoginTickets {
  constructor(
    private readonly users: UsersRepository,
    private readonly throttle: LoginThrottle,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  issue(t: LoginTicket, user: UserRow): Promise<string> {
    return issueLoginTicket({ ...t, ver: accountVersion(user) }, this.key, this.config.issuer, new Date());
  }

  /** A ticket for no account at all (possession first, for a name nobody has). */
  issueUnbound(t: LoginTicket): Promise<string> {
    return issueLoginTicket(t, this.key, this.config.issuer, new Date());
  }

  /** Resolves a ticket for a step that needs the account (a code, the password, a new password). */
  async open(
    ticketText: string,
    meta: ClientMeta,
    stage: LoginStage = 'factors',
  ): Promise<{ user: UserRow; ticket: LoginTicket }> {
    const ticket = await this.verified(ticketText, stage);
    const user = await this.users.findById(ticket.sub);
    if (user) this.throttle.attempt(user.username, meta.ip);
    const current =
      user !== undefined &&
      usable(user) &&
      ticket.ver === accountVersion(user) &&
      (stage !== 'password-change' || user.mustChangePassword) &&
      (stage !== 'totp-enrolment' || user.totpEnrolmentRequired);
    if (!user || !current) throw identityError('login_ticket_invalid', EXPIRED);
    return { user, ticket };
  }

  /**
   * Resolves a ticket for a possession factor (SIM, device). A possession-first ticket may name no usable
   * account (`user` null): the factor then runs to its end and fails like a wrong SIM or device would.
   */
  async openFactor(
    ticketText: string,
    meta: ClientMeta,
  ): Promise<{ user: UserRow | null; ticket: LoginTicket }> {
    const ticket = await this.verified(ticketText, 'factors');
    const user = await this.users.findById(ticket.sub);
    if (user && usable(user) && ticket.ver === accountVersion(user)) {
      this.throttle.attempt(user.username, meta.ip);
      return { user, ticket };
    }
    if (ticket.amr.length > 0 || (user && usable(user))) throw identityError('login_ticket_invalid', EXPIRED);
    this.throttle.attempt(ticket.sub, meta.ip);
    return { user: null, ticket };
  }

  /** TOTP and recovery codes come after the password: before it they would be a guessable way around it. */
  async openAfterPassword(ticketText: string, meta: ClientMeta) {
    const opened = await this.open(ticketText, meta);
    if (!opened.ticket.amr.includes('pwd'))
      throw identityError('login_ticket_invalid', 'Give the password first, then the code.');
    return opened;
  }

  private async verified(ticketText: string, stage: LoginStage): Promise<LoginTicket> {
    const ticket = await verifyLoginTicket(ticketText, this.key, this.config.issuer, new Date());
    if (!ticket || ticket.stage !== stage) throw identityError('login_ticket_invalid', EXPIRED);
    return ticket;
  }
}

/** Disabled accounts are refused; a closed password step is no lock (see passwordCheckAllowed). */
export function usable(user: UserRow): boolean {
  return user.status === 'active';
}
