import { Injectable } from '@nestjs/common';
import { AuditService } from '@pakawaaz/platform';
import { InitialPasswordFile } from '../bootstrap/initial-password-file.js';
import { identityError } from '../identity.errors.js';
import { hashPassword, verifyPassword } from '../passwords/password-hasher.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { Ctx } from './access.js';
import { UsersRepository, type UserRow } from './users.repository.js';
import { recordOn } from './user-audit.js';
import { UsersService } from './users.service.js';

/** A user's own password change (self-service, or the change an administrator's reset forces at sign-in). */
@Injectable()
export class PasswordChanges {
  constructor(
    private readonly repo: UsersRepository,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly initialPassword: InitialPasswordFile,
  ) {}

  /**
   * The signed-in user changes their own password (current one required), or completes a forced change.
   * Every other session of theirs ends (a password someone else may have known no longer keeps them in);
   * the caller's own session goes on. A new password also voids the guesses: the count and a closed
   * password step start afresh.
   */
  async changePassword(user: UserRow, current: string | null, next: string, ctx: Ctx): Promise<void> {
    if (current !== null && !(await verifyPassword(user.passwordHash, current)))
      throw identityError('invalid_credentials', 'The current password is wrong.');
    this.users.assertPassword(next, user.username, user.displayName);
    if (await verifyPassword(user.passwordHash, next))
      throw identityError('weak_password', 'Choose a password different from the current one.', {
        problem: 'reused',
      });
    const passwordHash = await hashPassword(next);
    await this.repo.db.transaction(async (tx) => {
      const row =
        (await this.repo.update(
          user.id,
          {
            passwordHash,
            mustChangePassword: false,
            passwordChangedAt: new Date(),
            failedLogins: 0,
            passwordClosedAt: null,
          },
          tx,
        )) ?? user;
      await recordOn(this.audit, tx, ctx, 'identity.user.password-changed', row, {
        forced: user.mustChangePassword,
      });
      await this.sessions.revokeAllOf(
        user.id,
        'password-changed',
        ctx.principal.actor,
        ctx.requestId,
        tx,
        ctx.principal.sessionId,
      );
    });
    await this.initialPassword.afterPasswordChange({ username: user.username, passwordHash });
  }
}
