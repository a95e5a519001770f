import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import QRCode from 'qrcode';
import {
  AuditService,
  requireInScope,
  requireRole,
  RolloutGate,
  scopeCondition,
  type Principal,
} from '@pakawaaz/platform';
import { DEVICE_MGMT_CONFIG, type DeviceMgmtConfig } from '../device-mgmt.config.js';
import { deviceMgmtError } from '../device-mgmt.errors.js';
import { enrolmentTokens } from './enrolment.schema.js';
import { EnrolmentRepository, type EnrolmentTokenRow } from './enrolment.repository.js';
import { Officials } from './officials.js';

export const DEFAULT_TOKEN_HOURS = 72;
export const MAX_TOKEN_HOURS = 720;

/** Only the SHA-256 of a token is kept: a database copy cannot enrol a handset. */
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('base64url');

export type TokenState = 'pending' | 'used' | 'expired' | 'revoked';
export type EnrolmentTokenView = {
  id: string;
  state: TokenState;
  official: { id: string; username: string | null; displayName: string | null };
  institutionId: string | null;
  institutionName: string | null;
  imsi: string | null;
  expiresAt: Date;
  usedAt: Date | null;
  deviceId: string | null;
  createdAt: Date;
};

export function tokenState(t: EnrolmentTokenRow, now: Date): TokenState {
  if (t.revokedAt) return 'revoked';
  if (t.usedAt) return 'used';
  return t.expiresAt <= now ? 'expired' : 'pending';
}

/** Enrolment tokens: created by an institution's device administrator for one of its officials. */
@Injectable()
export class EnrolmentTokensService {
  constructor(
    private readonly repo: EnrolmentRepository,
    private readonly officials: Officials,
    private readonly rollout: RolloutGate,
    private readonly audit: AuditService,
    @Inject(DEVICE_MGMT_CONFIG) private readonly config: DeviceMgmtConfig,
  ) {}

  async create(
    input: { official: string; imsi?: string | undefined; expiresInHours?: number | undefined },
    by: Principal,
    requestId: string,
  ): Promise<EnrolmentTokenView & { token: string; enrolUrl: string; qrSvg: string }> {
    requireRole(by, 'device-admin');
    const official = await this.officials.enrollable(input.official, by);
    await this.rollout.require({ institutionId: official.institutionId }, 'device-enrolment');
    const token = randomBytes(32).toString('base64url');
    const hours = input.expiresInHours ?? DEFAULT_TOKEN_HOURS;
    const row = await this.repo.insertToken({
      tokenHash: tokenHash(token),
      userId: official.userId,
      institutionId: official.institutionId,
      imsi: input.imsi ?? null,
      expiresAt: new Date(Date.now() + hours * 3600_000),
      createdBy: `${by.actor.type}:${by.actor.id}`,
    });
    await this.audit.record({
      actor: by.actor,
      action: 'device-mgmt.enrolment-token.created',
      target: `user:${official.userId}`,
      details: { tokenId: row.id, username: official.username, imsi: row.imsi, hours },
      requestId,
    });
    const names = new Map([[official.userId, official]]);
    const enrolUrl = this.enrolUrl(token);
    // The QR code the handset scans, made here so the NOC and a printout show the same thing.
    const qrSvg = await QRCode.toString(enrolUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { ...this.view(row, names, new Date()), token, enrolUrl, qrSvg };
  }

  /**
   * What a QR code carries: `<PAKAWAAZ_ENROL_URL_BASE>/enrol#token=…` (the fragment never reaches a web
   * server's logs), or `pakawaaz-enrol:?token=…` when no base is configured.
   */
  enrolUrl(token: string): string {
    return this.config.enrolUrlBase
      ? `${this.config.enrolUrlBase}/enrol#token=${token}`
      : `pakawaaz-enrol:?token=${token}`;
  }

  async list(
    by: Principal,
    q: { state?: TokenState | undefined; limit: number },
  ): Promise<EnrolmentTokenView[]> {
    requireRole(by, 'device-admin', 'viewer');
    const rows = await this.repo.tokens(scopeCondition(by, enrolmentTokens.institutionId), 1000);
    const now = new Date();
    const picked = rows.filter((r) => !q.state || tokenState(r, now) === q.state).slice(0, q.limit);
    const names = await this.officials.describe(picked.map((r) => r.userId));
    return picked.map((r) => this.view(r, names, now));
  }

  async revoke(id: string, by: Principal, requestId: string): Promise<void> {
    requireRole(by, 'device-admin');
    const row = await this.repo.tokenById(id);
    const notFound = () => deviceMgmtError('enrolment_token_not_found', 'No such enrolment token.');
    if (!row) throw notFound();
    requireInScope(by, row.institutionId, notFound);
    if (!(await this.repo.revokeToken(id, new Date())))
      throw deviceMgmtError('enrolment_token_spent', 'This token was already used or revoked.');
    await this.audit.record({
      actor: by.actor,
      action: 'device-mgmt.enrolment-token.revoked',
      target: `user:${row.userId}`,
      details: { tokenId: id },
      requestId,
    });
  }

  private view(
    r: EnrolmentTokenRow,
    names: Map<string, { username: string; displayName: string; institutionName: string | null }>,
    now: Date,
  ): EnrolmentTokenView {
    const o = names.get(r.userId);
    return {
      id: r.id,
      state: tokenState(r, now),
      official: { id: r.userId, username: o?.username ?? null, displayName: o?.displayName ?? null },
      institutionId: r.institutionId,
      institutionName: o?.institutionName ?? null,
      imsi: r.imsi,
      expiresAt: r.expiresAt,
      usedAt: r.usedAt,
      deviceId: r.deviceId,
      createdAt: r.createdAt,
    };
  }
}
