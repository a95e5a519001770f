import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db, isUuid } from '@pakawaaz/platform';
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { apiTokens } from './api-tokens.schema.js';

export type ApiTokenRow = typeof apiTokens.$inferSelect;

@Injectable()
export class ApiTokensRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  async findActiveByHash(secretHash: string): Promise<ApiTokenRow | undefined> {
    const rows = await this.database.db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.secretHash, secretHash), isNull(apiTokens.revokedAt)))
      .limit(1);
    return rows[0];
  }

  async findById(id: string): Promise<ApiTokenRow | undefined> {
    const rows = await this.database.db.select().from(apiTokens).where(eq(apiTokens.id, id)).limit(1);
    return rows[0];
  }

  async findByIds(ids: readonly string[]): Promise<ApiTokenRow[]> {
    const valid = ids.filter((id) => isUuid(id));
    return valid.length ? this.database.db.select().from(apiTokens).where(inArray(apiTokens.id, valid)) : [];
  }

  /** Tokens by name, any case (names need not be unique). */
  findByName(name: string): Promise<ApiTokenRow[]> {
    return this.database.db
      .select()
      .from(apiTokens)
      .where(sql`lower(${apiTokens.name}) = ${name.toLowerCase()}`)
      .limit(50);
  }

  async insert(row: typeof apiTokens.$inferInsert, tx: Db = this.database.db): Promise<void> {
    await tx.insert(apiTokens).values(row);
  }

  list(): Promise<ApiTokenRow[]> {
    return this.database.db.select().from(apiTokens).orderBy(desc(apiTokens.createdAt)).limit(500);
  }

  /** Returns whether a token that was still active got revoked. */
  async revoke(id: string, at: Date, tx: Db = this.database.db): Promise<boolean> {
    const rows = await tx
      .update(apiTokens)
      .set({ revokedAt: at })
      .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id });
    return rows.length > 0;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.database.db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, id));
  }
}
