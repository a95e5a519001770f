import { lintDomainMigrations } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { identityDomain } from './identity.domain.js';
import { identitySchema } from './identity.schema.js';

describe('identity domain data ownership', () => {
  it('declares the Postgres schema its migrations create, and touches no other schema', async () => {
    expect(identitySchema.schemaName).toBe(identityDomain.pgSchema);
    expect(await lintDomainMigrations(identityDomain)).toEqual([]);
  });
});
