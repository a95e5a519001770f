import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService, type Actor } from '@pakawaaz/platform';
import QRCode from 'qrcode';
import type { SecretBox } from '../crypto/secret-box.js';
import { identityError } from '../identity.errors.js';
import { UsersRepository, type UserRow } from '../users/users.repository.js';
import { MfaRepository } from './mfa.repository.js';
import {
  generateRecoveryCodes,
  newTotpSecret,
  TOTP_ISSUER,
  totpUri,
  verifyRecoveryCode,
  verifyTotp,
} from '@pakawaaz/totp';
import { SECRET_BOX } from './secret-box.provider.js';

export type TotpEnrolment = { secret: string; otpauthUri: string; qrSvg: string };
export type TotpCheck = 'ok' | 'invalid' | 'replayed' | 'not_enrolled';

/**
 * TOTP authenticators (seed sealed at rest, each code accepted once) and recovery codes. Only the user ever
 * sees a seed: enrolment is self-service (My account, or the sign-in step after an administrator's factor
 * reset); administrators can only remove an authenticator (FactorResetService).
 */
@Injectable()
export class TotpService {
  constructor(
    private readonly repo: MfaRepository,
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
  ) {}

  /**
   * Starts self-service enrolment: a pending seed that becomes active when `confirm` sees its first code.
   * An active authenticator is replaced only after it was removed (by its owner with a code, or an officer).
   */
  async begin(user: UserRow): Promise<TotpEnrolment> {
    if ((await this.repo.totp(user.id))?.status === 'active')
      throw identityError(
        'totp_already_enrolled',
        'TOTP is already set up: remove it first to enrol a new authenticator.',
      );
    return this.store(user, 'pending');
  }

  /** Confirms a pending enrolment with its first code; returns the recovery codes, shown once. */
  async confirm(user: UserRow, code: string, actor: Actor, requestId: string | null): Promise<string[]> {
    const row = await this.repo.totp(user.id);
    if (!row || row.status !== 'pending')
      throw identityError('totp_not_enrolled', 'Start the TOTP enrolment first.');
    const v = verifyTotp({
      secret: await this.seed(row.sealedSecret),
      code,
      now: new Date(),
      lastUsedStep: row.lastUsedStep,
    });
    if (!v.ok || !(await this.repo.claimTotpStep(user.id, v.step, true)))
      throw identityError(
        'totp_invalid',
        'That code is not right: check the clock of the phone and type the current code.',
      );
    const codes = await this.newRecoveryCodes(user.id);
    // An enrolment an administrator's factor reset asked for is done.
    if (user.totpEnrolmentRequired) await this.users.update(user.id, { totpEnrolmentRequired: false });
    await this.audit.record({
      actor,
      action: 'identity.totp.enrolled',
      target: `user:${user.id}`,
      details: { self: actor.id === user.id },
      requestId,
    });
    return codes;
  }

  /** Checks a code and consumes its time step atomically, so a code works once, even when sent twice at once. */
  async check(userId: string, code: string, now = new Date()): Promise<TotpCheck> {
    const row = await this.repo.totp(userId);
    if (!row || row.status !== 'active') return 'not_enrolled';
    const v = verifyTotp({
      secret: await this.seed(row.sealedSecret),
      code,
      now,
      lastUsedStep: row.lastUsedStep,
    });
    if (!v.ok) return v.reason === 'replayed' ? 'replayed' : 'invalid';
    return (await this.repo.claimTotpStep(userId, v.step, false)) ? 'ok' : 'replayed';
  }

  /** A recovery code stands in for a TOTP code once. */
  async useRecoveryCode(userId: string, code: string): Promise<boolean> {
    const rows = await this.repo.unusedRecoveryCodes(userId);
    const index = await verifyRecoveryCode(
      code,
      rows.map((r) => ({ hash: r.hash, used: false })),
    );
    const row = rows[index];
    return row !== undefined && (await this.repo.useRecoveryCode(row.id));
  }

  async regenerateRecoveryCodes(user: UserRow, actor: Actor, requestId: string | null): Promise<string[]> {
    if ((await this.repo.totp(user.id))?.status !== 'active')
      throw identityError('totp_not_enrolled', 'Recovery codes come with TOTP: set it up first.');
    const codes = await this.newRecoveryCodes(user.id);
    await this.audit.record({
      actor,
      action: 'identity.recovery-codes.regenerated',
      target: `user:${user.id}`,
      requestId,
    });
    return codes;
  }

  async remove(user: UserRow, actor: Actor, requestId: string | null): Promise<void> {
    if (!(await this.repo.totp(user.id)))
      throw identityError('totp_not_enrolled', 'This account has no TOTP authenticator.');
    await this.repo.db.transaction(async (tx) => {
      await this.repo.deleteTotp(user.id, tx);
      await this.audit.record(
        { actor, action: 'identity.totp.removed', target: `user:${user.id}`, requestId },
        tx,
      );
    });
  }

  private async store(user: UserRow, status: 'pending'): Promise<TotpEnrolment> {
    const secret = newTotpSecret(randomBytes);
    await this.repo.putTotp({
      userId: user.id,
      sealedSecret: await this.box.seal('totp-seed', Buffer.from(secret, 'ascii')),
      status,
    });
    const otpauthUri = totpUri({ issuer: TOTP_ISSUER, account: user.username, secret });
    const qrSvg = await QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { secret, otpauthUri, qrSvg };
  }

  private async newRecoveryCodes(userId: string): Promise<string[]> {
    const set = await generateRecoveryCodes(randomBytes);
    await this.repo.db.transaction((tx) =>
      this.repo.replaceRecoveryCodes(
        userId,
        set.stored.map((s) => s.hash),
        tx,
      ),
    );
    return [...set.codes];
  }

  private async seed(sealed: string): Promise<string> {
    return (await this.box.open('totp-seed', sealed)).toString('ascii');
  }
}
