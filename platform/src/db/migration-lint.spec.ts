import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { platformDomain } from '../platform.domain.js';
import { lintDomainMigrations } from './migration-lint.js';

async function fakeDomain(files: Record<string, string>) {
  const dir = await mkdtemp(path.join(tmpdir(), 'pkz-mig-'));
  await mkdir(path.join(dir, 'meta'));
  const entries = Object.keys(files).map((f, idx) => ({ idx, tag: f.replace(/\.sql$/, '') }));
  await writeFile(path.join(dir, 'meta', '_journal.json'), JSON.stringify({ entries }));
  for (const [f, text] of Object.entries(files)) await writeFile(path.join(dir, f), text);
  return { name: 'demo', pgSchema: 'demo', migrationsFolder: dir, status: 'planned' as const };
}

describe('lintDomainMigrations', () => {
  it('accepts the platform kernel migrations', async () => {
    expect(await lintDomainMigrations(platformDomain)).toEqual([]);
  });

  it('rejects a table created in another domain schema', async () => {
    const d = await fakeDomain({
      '0000_init.sql': 'CREATE SCHEMA "demo";\nCREATE TABLE "identity"."users" ("id" uuid);',
    });
    expect(await lintDomainMigrations(d)).toEqual([expect.stringContaining('touches schema "identity"')]);
  });

  it('rejects a foreign key into another domain', async () => {
    const d = await fakeDomain({
      '0000_init.sql':
        'CREATE SCHEMA "demo";\nCREATE TABLE "demo"."x" ("u" uuid);\nALTER TABLE "demo"."x" ADD CONSTRAINT fk FOREIGN KEY ("u") REFERENCES "identity"."users"("id");',
    });
    const problems = await lintDomainMigrations(d);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/REFERENCES "identity"\."users".*does not own/);
  });

  it('requires the first migration to create the domain schema and the journal to match the files', async () => {
    const d = await fakeDomain({ '0000_init.sql': 'CREATE TABLE "demo"."x" ("id" int);' });
    await writeFile(path.join(d.migrationsFolder, '0001_extra.sql'), 'select 1;');
    const problems = await lintDomainMigrations(d);
    expect(problems).toContainEqual(expect.stringContaining('must create schema "demo"'));
    expect(problems).toContainEqual(expect.stringContaining('journal lists [0000_init.sql]'));
  });
});
