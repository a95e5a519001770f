import { lintDomainMigrations } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { appStoreDomain } from './app-store.domain.js';
import { appStoreSchema } from './app-store.schema.js';

describe('app-store domain data ownership', () => {
  it('declares the Postgres schema its migrations create, and touches no other schema', async () => {
    expect(appStoreSchema.schemaName).toBe(appStoreDomain.pgSchema);
    expect(await lintDomainMigrations(appStoreDomain)).toEqual([]);
  });
});
