import { Injectable } from '@nestjs/common';
import { AuditService } from '@pakawaaz/platform';
import { LoginThrottle } from '../auth/login-throttle.js';
import { identityError } from '../identity.errors.js';
import { hashPassword } from '../passwords/password-hasher.js';
import type { ClientMeta } from '../sessions/sessions.service.js';
import { UserChanges } from '../users/user-changes.js';
import { UserUpdated, userFacts } from '../users/users.events.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { enrolmentCodeHash } from './enrolment-code.js';
import { UserImportsRepository } from './user-imports.repository.js';

const INVALID =
  'This enrolment code does not open this account (mistyped, used, or expired): ask your security officer for a new one.';

/**
 * An official redeems a one-time enrolment code: they choose their own password (the policy applies), the
 * code is spent, and their first sign-in enrols an authenticator (TOTP) — nobody else ever knew a secret of
 * theirs. Attempts count toward the sign-in throttle (per account and per source).
 */
@Injectable()
export class EnrolmentService {
  constructor(
    private readonly repo: UserImportsRepository,
    private readonly userRows: UsersRepository,
    private readonly users: UsersService,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditService,
    private readonly changes: UserChanges,
  ) {}

  async redeem(
    input: { username: string; code: string; password: string },
    meta: ClientMeta,
  ): Promise<{ username: string }> {
    const username = input.username.toLowerCase();
    this.throttle.attempt(username, meta.ip);
    const now = new Date();
    const user = await this.userRows.findByUsername(username);
    const done = await this.repo.db.transaction(async (tx) => {
      const enrolment = await this.repo.openEnrolment(tx, enrolmentCodeHash(input.code), now);
      if (!user || !enrolment || enrolment.userId !== user.id || user.status !== 'active') return undefined;
      // Checked only for the right code: the policy's reply must not be an oracle for who holds a code.
      this.users.assertPassword(input.password, user.username, user.displayName);
      await this.repo.useEnrolment(tx, enrolment.id, now);
      const updated = await this.userRows.update(
        user.id,
        {
          passwordHash: await hashPassword(input.password),
          passwordChangedAt: now,
          mustChangePassword: false,
          failedLogins: 0,
          passwordClosedAt: null,
        },
        tx,
      );
      await this.audit.record(
        {
          actor: { type: 'official', id: user.id },
          action: 'identity.user.enrolled',
          target: `user:${user.username}`,
          details: { id: user.id, issuedBy: enrolment.issuedBy },
          requestId: null,
        },
        tx,
      );
      return updated;
    });
    if (!done) {
      this.throttle.failed(username, meta.ip);
      throw identityError('enrolment_code_invalid', INVALID);
    }
    this.throttle.succeeded(username, meta.ip);
    await this.changes.publish(UserUpdated.create({ ...userFacts(done), changed: ['password'] }));
    return { username: done.username };
  }
}
