import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  DATABASE,
  LOGGER,
  requireNational,
  type DatabaseHandle,
  type Logger,
  type Principal,
} from '@pakawaaz/platform';
import { and, desc, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { SecretBox } from '../crypto/secret-box.js';
import { SECRET_BOX } from '../mfa/secret-box.provider.js';
import { SESSION_LIMITS } from '../sessions/session-policy.js';
import { safeText } from '../auth-events/auth-event-text.js';
import { isPakawaazClass, verifyClass, type BoundClass, type ClassRefusal } from './radius-class.js';
import { radiusAccounting } from './radius-clients.schema.js';
import type { AccountingContext } from './radius-handler.js';

export type AccountingRow = typeof radiusAccounting.$inferSelect;
export type AccountingQuery = {
  userId?: string | undefined;
  imsi?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
};

const TERMINATE_CAUSES: Record<number, string> = {
  1: 'user-request',
  2: 'lost-carrier',
  3: 'lost-service',
  4: 'idle-timeout',
  5: 'session-timeout',
  6: 'admin-reset',
  7: 'admin-reboot',
  8: 'port-error',
  9: 'nas-error',
  10: 'nas-request',
  11: 'nas-reboot',
};

/** How long a Class stays good: the longest session, and an hour for a NAS's late Stop or interim record. */
const CLASS_MAX_AGE_SECONDS = SESSION_LIMITS.aal2.absoluteSeconds + 3600;

/**
 * RADIUS accounting (RFC 2866): start, interim and stop records stored per official and IMSI for usage
 * metering. The official comes only from the Class Pakawaaz put in the Access-Accept, MACed and bound to the
 * NAS that authenticated the session (radius-class.ts); a NAS's User-Name is kept as reported but charges
 * nobody. A record whose Class is ours but does not verify — forged, edited, from another NAS, too old, or
 * the unsigned format of earlier builds — is refused: acknowledged (so the NAS stops resending), not stored,
 * counted by reason and logged without its contents. A NAS's retransmission of the same record is stored once.
 */
@Injectable()
export class RadiusAccountingService {
  private readonly refusedByReason = new Map<ClassRefusal, number>();

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Accounting records refused for their Class since start, by reason (status and /metrics). */
  refused(): Record<string, number> {
    return Object.fromEntries(this.refusedByReason);
  }

  async record(req: AccountingContext): Promise<void> {
    const a = req.attributes;
    const checked = await this.officialOf(req);
    if (checked === 'refused') return;
    const cls = checked;
    const eventAt = a.eventTimestamp
      ? new Date(a.eventTimestamp * 1000)
      : new Date(Date.now() - (a.delayTime ?? 0) * 1000);
    const row = {
      id: randomUUID(),
      clientId: req.client.id,
      // A NAS's strings as sent: a NUL would make PostgreSQL refuse the record (see safeText).
      acctSessionId: safeText(a.sessionId, 253) ?? '',
      statusType: a.statusType ?? 'other',
      username: safeText(a.userName, 253),
      userId: cls?.userId ?? null,
      imsi: cls?.imsi ?? null,
      nasIp: a.nasIpAddress ?? null,
      nasIdentifier: safeText(a.nasIdentifier, 253),
      callingStationId: safeText(a.callingStationId, 253),
      framedIp: a.framedIpAddress ?? null,
      sessionTimeSeconds: a.sessionTime ?? null,
      inputOctets: a.inputOctets ?? null,
      outputOctets: a.outputOctets ?? null,
      terminateCause:
        a.terminateCause === undefined
          ? null
          : (TERMINATE_CAUSES[a.terminateCause] ?? String(a.terminateCause)),
      eventAt,
    };
    const key = [
      row.clientId,
      row.acctSessionId,
      row.statusType,
      row.sessionTimeSeconds,
      row.inputOctets,
      row.outputOctets,
      a.eventTimestamp ?? '',
    ].join('|');
    await this.database.db
      .insert(radiusAccounting)
      .values({ ...row, dedupeKey: createHash('sha256').update(key).digest('hex') })
      .onConflictDoNothing({ target: radiusAccounting.dedupeKey });
  }

  /** The verified Class of the record, null when it carries none of ours, 'refused' when ours fails. */
  private async officialOf(req: AccountingContext): Promise<BoundClass | null | 'refused'> {
    const ours = req.attributes.classes.filter(isPakawaazClass);
    if (ours.length === 0) return null;
    const expect = {
      clientId: req.client.id,
      nowSeconds: Math.floor(Date.now() / 1000),
      maxAgeSeconds: CLASS_MAX_AGE_SECONDS,
      mac: (text: Buffer) => this.box.mac('radius-class', text),
    };
    let reason: ClassRefusal = 'malformed';
    for (const value of ours) {
      const check = await verifyClass(value, expect);
      if (check.ok) return check.info;
      reason = check.reason;
    }
    this.refusedByReason.set(reason, (this.refusedByReason.get(reason) ?? 0) + 1);
    this.logger.warn(
      { client: req.client.name, clientId: req.client.id, reason, statusType: req.attributes.statusType },
      'RADIUS accounting refused: its Class does not verify',
    );
    return 'refused';
  }

  /** National records (IMSIs, addresses, usage of every official): not for an institution's principals. */
  async list(q: AccountingQuery, caller: Principal): Promise<AccountingRow[]> {
    requireNational(caller);
    const where: (SQL | undefined)[] = [
      q.userId ? eq(radiusAccounting.userId, q.userId) : undefined,
      q.imsi ? eq(radiusAccounting.imsi, q.imsi) : undefined,
      q.from ? gte(radiusAccounting.eventAt, q.from) : undefined,
      q.to ? lte(radiusAccounting.eventAt, q.to) : undefined,
    ];
    return this.database.db
      .select()
      .from(radiusAccounting)
      .where(and(...where))
      .orderBy(desc(radiusAccounting.eventAt))
      .limit(q.limit);
  }

  async count(): Promise<number> {
    const [r] = await this.database.db.select({ n: sql<number>`count(*)::int` }).from(radiusAccounting);
    return r?.n ?? 0;
  }
}
