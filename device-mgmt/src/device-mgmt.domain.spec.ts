import { lintDomainMigrations } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { deviceMgmtDomain } from './device-mgmt.domain.js';
import { deviceMgmtSchema } from './device-mgmt.schema.js';

describe('device-mgmt domain data ownership', () => {
  it('declares the Postgres schema its migrations create, and touches no other schema', async () => {
    expect(deviceMgmtSchema.schemaName).toBe(deviceMgmtDomain.pgSchema);
    expect(await lintDomainMigrations(deviceMgmtDomain)).toEqual([]);
  });
});
