import type { Db } from '@pakawaaz/platform';
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';

/** A hot statement: its text built once at load, run by name (PostgreSQL plans it once per connection). */
export type Prepared = { readonly name: string; readonly text: string };

const dialect = new PgDialect();

/**
 * Builds the statement's text once; `p(i)` is its i-th parameter ($i+1: use them in order, each once). No SQL is
 * built per call.
 */
export function statement(name: string, build: (p: (i: number) => SQL) => SQL): Prepared {
  return { name, text: dialect.sqlToQuery(build((i) => sql`${sql.placeholder(`p${i}`)}`)).sql };
}

/** Runs a prepared statement with its parameters, in the transaction (or on the database) given. */
export async function runPrepared<T>(db: Db, s: Prepared, params: readonly unknown[]): Promise<T[]> {
  const session = (db as unknown as { _: { session: PreparedSession } })._.session;
  const answer = await session
    .prepareQuery({ sql: s.text, params: [...params] }, undefined, s.name, false)
    .execute();
  return (answer as { rows: T[] }).rows;
}

type PreparedSession = {
  prepareQuery(
    q: { sql: string; params: unknown[] },
    fields: undefined,
    name: string,
    arrayMode: boolean,
  ): { execute(): Promise<unknown> };
};
