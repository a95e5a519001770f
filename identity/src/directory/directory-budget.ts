import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, SharedBudget, type DatabaseHandle, type RateDecision } from '@pakawaaz/platform';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { directoryBudgets } from './directory-budget.schema.js';

/**
 * Directory searches per caller, counted for the whole deployment (`identity.directory_budgets`), as spent
 * DPoP proofs are: a token bucket of PAKAWAAZ_DIRECTORY_RATE a minute (bursts of the same), whichever node the
 * search reaches — the platform's SharedBudget (one upsert on the database's clock, the node's own bucket
 * asked first so that a flood costs memory, not statements).
 */
@Injectable()
export class DirectoryBudget {
  private readonly budget: SharedBudget;

  constructor(
    @Inject(DATABASE) database: DatabaseHandle,
    @Inject(IDENTITY_CONFIG) config: Pick<IdentityConfig, 'directoryRate'>,
  ) {
    this.budget = new SharedBudget(database, directoryBudgets, {
      perMinute: config.directoryRate,
      burst: config.directoryRate,
    });
  }

  /** Takes one search from `key`'s budget. */
  take(key: string, nowMs = Date.now()): Promise<RateDecision> {
    return this.budget.take(key, nowMs);
  }
}
