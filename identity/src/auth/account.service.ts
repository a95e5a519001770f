import { Inject, Injectable } from '@nestjs/common';
import {
  institutionScope,
  isRole,
  NATIONAL_SCOPE,
  platformError,
  scopeIds,
  type Principal,
} from '@pakawaaz/platform';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { MfaRepository } from '../mfa/mfa.repository.js';
import { TotpService } from '../mfa/totp.service.js';
import { SessionsService, type ClientMeta } from '../sessions/sessions.service.js';
import type { Ctx } from '../users/access.js';
import { needsPasskey } from '../users/roles.js';
import { UsersRepository, type UserRow } from '../users/users.repository.js';
import { PasswordChanges } from '../users/password-changes.service.js';
import { LoginService, type LoginStep } from './login.service.js';
import { LoginTickets } from './login-tickets.service.js';

export type Profile = {
  id: string;
  username: string;
  kind: 'official' | 'operator' | 'api-token';
  displayName: string;
  designation: string | null;
  roles: string[];
  withheldRoles: string[];
  institutionId: string | null;
  scope: { kind: 'national' | 'institution'; institutionIds: string[] };
  amr: string[];
  acr: string | null;
  sessionId: string | null;
  mustChangePassword: boolean;
  passkeyRequired: boolean;
  mfaEnrolmentRequired: boolean;
  operatorMfaPolicy: boolean;
  factors: { totp: 'none' | 'pending' | 'active'; passkeys: number; recoveryCodesLeft: number };
  lastLoginAt: Date | null;
};

/** The signed-in user's own account: profile, password, refresh and logout. */
@Injectable()
export class AccountService {
  constructor(
    private readonly users: UsersRepository,
    private readonly passwords: PasswordChanges,
    private readonly sessions: SessionsService,
    private readonly login: LoginService,
    private readonly tickets: LoginTickets,
    private readonly totp: TotpService,
    private readonly mfa: MfaRepository,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  /** The user behind a principal; API tokens have no account. */
  async self(principal: Principal): Promise<UserRow> {
    const user =
      principal.actor.type === 'operator' || principal.actor.type === 'official'
        ? await this.users.findById(principal.actor.id)
        : undefined;
    if (!user) throw platformError('forbidden', 'This needs a signed-in user, not an API token.');
    return user;
  }

  async profile(principal: Principal): Promise<Profile> {
    const user =
      principal.actor.type === 'api-token' ? undefined : await this.users.findById(principal.actor.id);
    const factors = user ? (await this.mfa.summaries([user.id])).get(user.id) : undefined;
    const held = user?.roles.filter(isRole) ?? [...principal.roles];
    const withheld = held.filter(
      (r) => !principal.roles.includes(r) && !principal.roles.includes('super-admin'),
    );
    return {
      id: principal.actor.id,
      username: user?.username ?? principal.name,
      kind: user?.kind ?? 'api-token',
      displayName: user?.displayName ?? principal.name,
      designation: user?.designation ?? null,
      roles: [...principal.roles],
      withheldRoles: withheld,
      institutionId: principal.institutionId,
      scope: { kind: principal.scope.kind, institutionIds: [...(scopeIds(principal) ?? [])] },
      amr: [...principal.amr],
      acr: principal.acr,
      sessionId: principal.sessionId ?? null,
      mustChangePassword: user?.mustChangePassword ?? false,
      passkeyRequired:
        this.config.requirePasskeys && held.some(needsPasskey) && (factors?.passkeys ?? 0) === 0,
      mfaEnrolmentRequired: user ? await this.sessions.secondFactorMissing(user) : false,
      operatorMfaPolicy: this.config.requireOperatorMfa,
      factors: factors ?? { totp: 'none', passkeys: 0, recoveryCodesLeft: 0 },
      lastLoginAt: user?.lastLoginAt ?? null,
    };
  }

  async refresh(refreshToken: string, requestId: string, dpopProof?: unknown): Promise<LoginStep> {
    return {
      status: 'authenticated',
      ...(await this.sessions.refresh(refreshToken, requestId, dpopProof)),
    };
  }

  logout(ctx: Ctx): Promise<void> {
    return this.sessions.logout(ctx);
  }

  /** Changes the caller's own password: every other session of theirs ends; this one goes on. */
  async changePassword(current: string, next: string, ctx: Ctx): Promise<void> {
    const user = await this.self(ctx.principal);
    await this.passwords.changePassword(user, current, next, ctx);
  }

  /** Completes the change an administrator's reset forced, then goes on with the sign-in's other factors. */
  async forcedChange(ticketText: string, next: string, meta: ClientMeta): Promise<LoginStep> {
    const { user, ticket } = await this.tickets.open(ticketText, meta, 'password-change');
    const ctx: Ctx = { principal: asPrincipal(user), requestId: null };
    await this.passwords.changePassword(user, null, next, ctx);
    const updated = (await this.users.findById(user.id)) ?? user;
    return this.login.advance(updated, { ...ticket, stage: 'factors' }, meta);
  }

  /**
   * The sign-in step after an administrator removed the second factors: the user confirms the new
   * authenticator (shown only to them, in the previous step) with its first code, gets the recovery codes
   * once, and is signed in with it.
   */
  async enrolTotpAtSignIn(ticketText: string, code: string, meta: ClientMeta): Promise<LoginStep> {
    const { user, ticket } = await this.tickets.open(ticketText, meta, 'totp-enrolment');
    const recoveryCodes = await this.totp.confirm(user, code, { type: user.kind, id: user.id }, null);
    const updated = (await this.users.findById(user.id)) ?? user;
    const step = await this.login.advance(
      updated,
      { ...ticket, stage: 'factors', amr: [...ticket.amr, 'otp'] },
      meta,
    );
    return step.status === 'authenticated' ? { ...step, recoveryCodes } : step;
  }
}

/** A principal for audit entries the user makes about themselves before a session exists. */
export function asPrincipal(user: UserRow): Principal {
  return {
    actor: { type: user.kind, id: user.id },
    name: user.username,
    roles: [],
    institutionId: user.institutionId,
    // Used for the audit entry of a user's own change only; never for anything scope decides.
    scope: user.institutionId ? institutionScope([user.institutionId]) : NATIONAL_SCOPE,
    amr: ['pwd'],
    acr: null,
    tokenId: 'login',
  };
}
