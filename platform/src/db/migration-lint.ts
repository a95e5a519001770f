import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DomainDescriptor } from './domain.js';

/** Statements that name a schema-qualified object: CREATE/ALTER/DROP TABLE|INDEX|TYPE|SEQUENCE|FUNCTION …, REFERENCES, ON. */
const QUALIFIED_NAME =
  /\b(?:TABLE|INDEX|TYPE|SEQUENCE|VIEW|FUNCTION|TRIGGER|REFERENCES|ON|INTO|FROM)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(?:ONLY\s+)?"?([a-z_][a-z0-9_]*)"?\."?[A-Za-z_][\w]*"?/gi;

/**
 * Checks DESIGN §3 for one domain's migrations: the journal and the SQL files agree, the first migration
 * creates the domain's own schema, and no statement touches or references an object in another schema
 * (no cross-domain tables, joins or foreign keys). Returns the problems found; empty means compliant.
 */
export async function lintDomainMigrations(domain: DomainDescriptor): Promise<string[]> {
  const problems: string[] = [];
  const journal = JSON.parse(
    await readFile(path.join(domain.migrationsFolder, 'meta', '_journal.json'), 'utf8'),
  ) as {
    entries: { idx: number; tag: string }[];
  };
  const files = (await readdir(domain.migrationsFolder)).filter((f) => f.endsWith('.sql')).sort();
  const tags = journal.entries.map((e) => `${e.tag}.sql`);
  if (files.join() !== tags.join())
    problems.push(`journal lists [${tags.join(', ')}] but the folder has [${files.join(', ')}]`);
  for (const [i, file] of files.entries()) {
    const text = await readFile(path.join(domain.migrationsFolder, file), 'utf8');
    const sqlText = text.replace(/--[^\n]*/g, '');
    if (i === 0 && !new RegExp(`CREATE SCHEMA (IF NOT EXISTS )?"?${domain.pgSchema}"?`, 'i').test(sqlText)) {
      problems.push(`${file}: the first migration must create schema "${domain.pgSchema}"`);
    }
    for (const m of sqlText.matchAll(QUALIFIED_NAME)) {
      const schema = m[1];
      if (schema && schema !== domain.pgSchema && schema !== 'pg_catalog') {
        problems.push(
          `${file}: "${m[0].trim()}" touches schema "${schema}", which ${domain.name} does not own`,
        );
      }
    }
  }
  return problems;
}
