import { lintDomainMigrations } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { coreNetworkDomain } from './core-network.domain.js';
import { coreNetworkSchema } from './core-network.schema.js';

describe('core-network domain data ownership', () => {
  it('declares the Postgres schema its migrations create, and touches no other schema', async () => {
    expect(coreNetworkSchema.schemaName).toBe(coreNetworkDomain.pgSchema);
    expect(await lintDomainMigrations(coreNetworkDomain)).toEqual([]);
  });
});
