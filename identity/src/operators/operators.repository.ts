import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { eq, sql } from 'drizzle-orm';
import { operators } from './operators.schema.js';

export type OperatorRow = typeof operators.$inferSelect;
export type NewOperator = typeof operators.$inferInsert;

@Injectable()
export class OperatorsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  async findByUsername(username: string): Promise<OperatorRow | undefined> {
    const rows = await this.database.db
      .select()
      .from(operators)
      .where(eq(operators.username, username))
      .limit(1);
    return rows[0];
  }

  async findById(id: string): Promise<OperatorRow | undefined> {
    const rows = await this.database.db.select().from(operators).where(eq(operators.id, id)).limit(1);
    return rows[0];
  }

  async count(tx: Db = this.database.db): Promise<number> {
    const rows = await tx.select({ n: sql<number>`count(*)::int` }).from(operators);
    return rows[0]?.n ?? 0;
  }

  async insert(row: NewOperator, tx: Db = this.database.db): Promise<void> {
    await tx.insert(operators).values(row);
  }

  async touchLogin(id: string, at: Date): Promise<void> {
    await this.database.db.update(operators).set({ lastLoginAt: at }).where(eq(operators.id, id));
  }
}
