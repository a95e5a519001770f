import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, requireNational, type DatabaseHandle, type Principal } from '@pakawaaz/platform';
import { and, desc, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import { UsersRepository } from '../users/users.repository.js';
import { decodeClass } from './radius-class.js';
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

/**
 * RADIUS accounting (RFC 2866): start, interim and stop records stored per official and IMSI for usage
 * metering. The official comes from the Class attribute Pakawaaz put in the Access-Accept (a NAS's
 * User-Name is only a fallback). A NAS's retransmission of the same record is stored once.
 */
@Injectable()
export class RadiusAccountingService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly users: UsersRepository,
  ) {}

  async record(req: AccountingContext): Promise<void> {
    const a = req.attributes;
    const cls = a.classes.map(decodeClass).find((c) => c !== null) ?? null;
    const byName = !cls && a.userName ? await this.users.findByUsername(a.userName) : undefined;
    const eventAt = a.eventTimestamp
      ? new Date(a.eventTimestamp * 1000)
      : new Date(Date.now() - (a.delayTime ?? 0) * 1000);
    const row = {
      id: randomUUID(),
      clientId: req.client.id,
      acctSessionId: (a.sessionId ?? '').slice(0, 253),
      statusType: a.statusType ?? 'other',
      username: a.userName?.slice(0, 253) ?? null,
      userId: cls?.userId ?? byName?.id ?? null,
      imsi: cls?.imsi ?? null,
      nasIp: a.nasIpAddress ?? null,
      nasIdentifier: a.nasIdentifier?.slice(0, 253) ?? null,
      callingStationId: a.callingStationId?.slice(0, 253) ?? null,
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
