import { Inject, Injectable } from '@nestjs/common';
import { AuditService, EVENT_BUS, LOGGER, type EventBus, type Logger } from '@pakawaaz/platform';
import { httpFailure } from '../auth-events/auth-event-reasons.js';
import { AuthEventsService } from '../auth-events/auth-events.service.js';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { UsersRepository, type UserRow } from '../users/users.repository.js';
import { UserPasswordClosed, userFacts } from '../users/users.events.js';
import { SignInStatsService } from '../sign-in-stats/sign-in-stats.service.js';
import { LoginThrottle } from './login-throttle.js';

export type FailedStep = {
  /** The account, when it exists (unknown names count only towards the back-off). */
  readonly user?: UserRow | undefined;
  /** The name the back-off is keyed by (the typed username); null when no account was named (a passkey). */
  readonly account: string | null;
  /** What failed, for the log: `password`, `totp:invalid`, `radius-pap:…` — never a secret. */
  readonly factor: string;
  readonly source: string | null | undefined;
  /**
   * False for an attempt on a closed password step: the password was not checked, so it was no guess and
   * does not move the count (the back-off still slows the caller).
   */
  readonly counted?: boolean;
  /** RADIUS logs its own sign-in event (it knows the NAS); every other step is an HTTP one, logged here. */
  readonly channel?: 'radius';
};

/**
 * Failed and completed sign-in steps, for every way in (HTTP steps, passkeys, RADIUS PAP): the account's
 * consecutive-failure count in the database (NIST's guess limit, shared by every node), the in-memory
 * back-off, and the alarm when the limit closes an account's password step — an audit entry, an event and
 * the account's "under attack" state in the NOC.
 */
@Injectable()
export class LoginFailures {
  constructor(
    private readonly users: UsersRepository,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditService,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly stats: SignInStatsService,
    private readonly events: AuthEventsService,
  ) {}

  async failed(step: FailedStep): Promise<void> {
    const { user } = step;
    if (user && step.counted !== false) {
      const now = new Date();
      const { failures, closedNow } = await this.users.recordFailure(
        user.id,
        this.config.lockoutThreshold,
        now,
      );
      if (closedNow) await this.alarm(user, failures, now);
    }
    this.throttle.failed(step.account ?? user?.username ?? null, step.source);
    this.stats.failed(step.factor);
    this.logger.warn({ factor: step.factor, ip: step.source ?? null }, 'sign-in step failed');
    if (step.channel !== 'radius') {
      const { method, reason } = httpFailure(step.factor, user);
      const username = user?.username ?? step.account;
      this.events.record({
        channel: 'http',
        result: 'reject',
        reason,
        method,
        username,
        user,
        source: step.source,
      });
    }
  }

  /**
   * A completed sign-in: the count starts again — from the limit while the password step stays closed.
   * `amr` names the factors it used (`radius` for a RADIUS PAP request), for the sign-in statistics.
   */
  async succeeded(
    user: UserRow,
    source: string | null | undefined,
    amr: readonly string[] | 'radius',
  ): Promise<void> {
    if (amr === 'radius') this.stats.radiusSucceeded();
    else this.stats.succeeded(amr);
    const closed = user.passwordClosedAt !== null;
    const failures = closed ? Math.min(user.failedLogins, this.config.lockoutThreshold) : 0;
    await this.users.recordSuccess(user.id, new Date(), failures);
    this.throttle.succeeded(user.username, source);
  }

  private async alarm(user: UserRow, failures: number, at: Date): Promise<void> {
    await this.audit.record({
      actor: { type: 'system', id: 'identity' },
      action: UserPasswordClosed.type,
      target: `user:${user.username}`,
      details: { id: user.id, failures, institutionId: user.institutionId },
    });
    await this.bus.publish(
      UserPasswordClosed.create({ ...userFacts(user), failures, closedAt: at.toISOString() }),
    );
    this.logger.warn(
      { user: user.id, failures },
      'password step closed after the guess limit: the account is under attack',
    );
  }
}
