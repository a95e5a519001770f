import type { Db } from './database.js';

/**
 * How a statement runs. 'once': by name, so PostgreSQL keeps its plan per connection (after five calls, a
 * generic one). 'each call': unnamed, planned for the tables as they are at each call — for a statement whose
 * best plan depends on how big a churning table is, a plan kept from when that table was empty is the wrong
 * one for as long as it is kept. (PGlite's driver ignores the name: there every statement is planned at each
 * call.)
 */
export type Planned = 'once' | 'each call';

/** Runs SQL text with its parameters under the statement's name, or unnamed when it is planned at each call. */
export async function runQuery<T>(
  db: Db,
  query: { sql: string; params: unknown[] },
  statement: { readonly name: string; readonly planned: Planned },
): Promise<T[]> {
  const session = (db as unknown as { _: { session: QuerySession } })._.session;
  const name = statement.planned === 'once' ? statement.name : undefined;
  const answer = await session.prepareQuery(query, undefined, name, false).execute();
  return (answer as { rows: T[] }).rows;
}

type QuerySession = {
  prepareQuery(
    q: { sql: string; params: unknown[] },
    fields: undefined,
    name: string | undefined,
    arrayMode: boolean,
  ): { execute(): Promise<unknown> };
};
