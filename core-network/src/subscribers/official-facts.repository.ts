import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle } from '@pakawaaz/platform';
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import { subscribers } from './subscribers.schema.js';

export type OfficialFacts = {
  userId: string;
  displayName: string;
  institutionId: string | null;
  factsAt: Date;
};

@Injectable()
export class OfficialFactsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  /**
   * Copies the facts onto every subscriber of the official that holds older ones, in one conditional update:
   * a redelivery, or an older event overtaking a newer one, changes nothing. Returns the IMSIs updated.
   * `version` stays: names and institutions are not part of the Open5GS document.
   */
  async apply(facts: OfficialFacts): Promise<string[]> {
    const rows = await this.database.db
      .update(subscribers)
      .set({
        displayName: facts.displayName,
        institutionId: facts.institutionId,
        identityFactsAt: facts.factsAt,
        updatedAt: new Date(),
      })
      .where(
        and(
          eq(subscribers.userId, facts.userId),
          or(isNull(subscribers.identityFactsAt), lt(subscribers.identityFactsAt, facts.factsAt)),
        ),
      )
      .returning({ imsi: subscribers.imsi });
    return rows.map((r) => r.imsi);
  }
}
