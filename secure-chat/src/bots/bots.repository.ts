import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { deviceQueue } from '../delivery/delivery.schema.js';
import { chatBots, type ChatBotRow } from './bots.schema.js';

export type NewBot = typeof chatBots.$inferInsert;

@Injectable()
export class BotsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db() {
    return this.database.db;
  }

  async insert(row: NewBot): Promise<ChatBotRow> {
    const [created] = await this.database.db.insert(chatBots).values(row).returning();
    return created!;
  }

  async byId(id: string, tx?: Db): Promise<ChatBotRow | null> {
    const [row] = await (tx ?? this.database.db).select().from(chatBots).where(eq(chatBots.id, id)).limit(1);
    return row ?? null;
  }

  /** Bots of these institutions (all of them when null), by name. */
  async list(institutionIds: readonly string[] | null): Promise<ChatBotRow[]> {
    return this.database.db
      .select()
      .from(chatBots)
      .where(institutionIds ? inArray(chatBots.institutionId, [...institutionIds]) : undefined)
      .orderBy(asc(chatBots.name), asc(chatBots.id))
      .limit(1000);
  }

  /** Spends the enrolment secret of a pending bot (exactly once: the row is locked). */
  async lockPending(id: string, tx: Db): Promise<ChatBotRow | null> {
    const [row] = await tx
      .select()
      .from(chatBots)
      .where(and(eq(chatBots.id, id), eq(chatBots.state, 'pending')))
      .for('update')
      .limit(1);
    return row ?? null;
  }

  async update(id: string, set: Partial<NewBot>, tx?: Db): Promise<void> {
    await (tx ?? this.database.db).update(chatBots).set(set).where(eq(chatBots.id, id));
  }

  async activeIds(): Promise<string[]> {
    const rows = await this.database.db
      .select({ id: chatBots.id })
      .from(chatBots)
      .where(eq(chatBots.state, 'active'));
    return rows.map((r) => r.id);
  }

  /** Active bots with something in their queue (the dispatcher's sweep). */
  async activeWithQueue(): Promise<ChatBotRow[]> {
    return this.database.db
      .select()
      .from(chatBots)
      .where(
        and(
          eq(chatBots.state, 'active'),
          isNull(chatBots.disabledAt),
          sql`exists (select 1 from ${deviceQueue} q where q.device_id = ${chatBots.id})`,
        ),
      )
      .limit(1000);
  }
}
