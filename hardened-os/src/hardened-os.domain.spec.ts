import { lintDomainMigrations } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { hardenedOsDomain } from './hardened-os.domain.js';
import { hardenedOsSchema } from './hardened-os.schema.js';

describe('hardened-os domain data ownership', () => {
  it('declares the Postgres schema its migrations create, and touches no other schema', async () => {
    expect(hardenedOsSchema.schemaName).toBe(hardenedOsDomain.pgSchema);
    expect(await lintDomainMigrations(hardenedOsDomain)).toEqual([]);
  });
});
