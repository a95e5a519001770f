import { runQuery, type Db, type Planned } from '@pakawaaz/platform';
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';

/**
 * A hot statement: its text built once at load, run by name or planned at each call (`Planned`, platform's
 * runQuery; see ACK in queue-batches.ts for one planned at each call).
 */
export type Prepared = {
  readonly name: string;
  readonly text: string;
  readonly planned: Planned;
};

const dialect = new PgDialect();

/**
 * Builds the statement's text once; `p(i)` is its i-th parameter ($i+1: use them in order, each once). No SQL is
 * built per call.
 */
export function statement(
  name: string,
  build: (p: (i: number) => SQL) => SQL,
  planned: Prepared['planned'] = 'once',
): Prepared {
  return { name, planned, text: dialect.sqlToQuery(build((i) => sql`${sql.placeholder(`p${i}`)}`)).sql };
}

/**
 * `col = ${anyOf(p)}`: the column equals one of the JSON array parameter's elements (`cast`: e.g. `::uuid`), as
 * an array the planner probes the column's index with. Joined with `json_to_recordset` or `in (select
 * json_array_elements…)` instead, the keys are planned as 100 rows whatever their number, and over a table the
 * planner thinks small that is a hash join over a sequential scan of all of it.
 */
export const anyOf = (param: SQL, cast: '' | '::uuid' = '') =>
  sql`any (array(select json_array_elements_text(${param}::json)${sql.raw(cast)}))`;

/** Runs a prepared statement with its parameters, in the transaction (or on the database) given. */
export function runPrepared<T>(db: Db, s: Prepared, params: readonly unknown[]): Promise<T[]> {
  return runQuery<T>(db, { sql: s.text, params: [...params] }, s);
}
