import { lintDomainMigrations } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { secureChatDomain } from './secure-chat.domain.js';
import { secureChatSchema } from './secure-chat.schema.js';

describe('secure-chat domain data ownership', () => {
  it('declares the Postgres schema its migrations create, and touches no other schema', async () => {
    expect(secureChatSchema.schemaName).toBe(secureChatDomain.pgSchema);
    expect(await lintDomainMigrations(secureChatDomain)).toEqual([]);
  });
});
