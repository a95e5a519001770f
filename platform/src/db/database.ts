import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { Logger } from 'pino';
import { maskUrl } from '../config/config.js';
import { quietTurns } from './background-turn.js';
import { openEmbedded } from './embedded-database.js';

/** The Drizzle database every domain repository uses; identical API on PGlite and PostgreSQL. */
export type Db = PgDatabase<PgQueryResultHKT>;

export type DatabaseMode = 'embedded' | 'postgresql';

export type DatabaseHandle = {
  readonly db: Db;
  readonly mode: DatabaseMode;
  /** Human description for logs and the NOC (password masked). */
  readonly location: string;
  /** Round trip to the database; rejects when it is unreachable. */
  ping(timeoutMs?: number): Promise<void>;
  /** Runs fn while holding a cluster-wide lock, so concurrent nodes never migrate at the same time. */
  withExclusiveLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
  /**
   * Background work (bulk jobs) awaits this before each unit of work, so requests people wait for go first:
   * it resolves once this process's connections have been quiet for a moment, or after a bounded wait
   * (background-turn.ts).
   */
  backgroundTurn(): Promise<void>;
  close(): Promise<void>;
};

export class DatabaseUnavailableError extends Error {
  constructor(location: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `Cannot reach the database at ${location}: ${reason || (cause as { code?: string }).code || 'unknown error'}. ` +
        'Check DATABASE_URL and that PostgreSQL is running and accepts connections.',
      { cause },
    );
    this.name = 'DatabaseUnavailableError';
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`${what} timed out after ${ms} ms`), { code: 'ETIMEDOUT' })),
      ms,
    );
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export type OpenDatabaseOptions = {
  /** PostgreSQL URL; when absent the embedded PGlite database is used. */
  url?: string | undefined;
  /** Folder for the embedded database (`<dir>/db`); `memory://` for a throw-away in-memory database. */
  dataDir: string;
  logger: Logger;
  poolSize?: number;
  /** Embedded only: called once if the database's worker thread dies while open (log, then shut down). */
  onFailure?: ((err: Error) => void) | undefined;
};

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  return options.url ? openPostgres(options.url, options) : openPglite(options);
}

async function openPostgres(url: string, { logger, poolSize }: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const location = maskUrl(url) ?? 'postgresql';
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'pakawaaz',
  });
  // An idle client losing its connection emits 'error' on the pool; unhandled, it would kill the process.
  pool.on('error', (err) =>
    logger.warn(
      { err: { message: err.message, code: (err as { code?: string }).code } },
      'database connection lost; the pool will reconnect',
    ),
  );
  const handle: DatabaseHandle = {
    db: drizzlePg(pool),
    mode: 'postgresql',
    location,
    async ping(timeoutMs = 2_000) {
      await withTimeout(pool.query('select 1'), timeoutMs, 'database ping');
    },
    async withExclusiveLock(key, fn) {
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [key]);
        try {
          return await fn();
        } finally {
          await client.query('select pg_advisory_unlock($1)', [key]);
        }
      } finally {
        client.release();
      }
    },
    backgroundTurn: quietTurns(pool),
    close: () => pool.end(),
  };
  try {
    await handle.ping(6_000);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new DatabaseUnavailableError(location, err);
  }
  return handle;
}

/** In-process exclusive locks by key: each caller runs after the previous holder of its key has finished. */
function keyedMutex(): DatabaseHandle['withExclusiveLock'] {
  const tails = new Map<number, Promise<void>>();
  return async (key, fn) => {
    const previous = tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const tail = previous.then(() => new Promise<void>((resolve) => (release = resolve)));
    tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}

/**
 * The embedded database: PGlite in a worker thread, reached through the same node-postgres driver as
 * PostgreSQL (see embedded-database.ts). One pooled connection: PGlite is a single session.
 */
async function openPglite({ dataDir, logger, onFailure }: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const embedded = await openEmbedded({ dataDir, logger, onFailure });
  return {
    db: drizzlePg(embedded.pool),
    mode: 'embedded',
    location: embedded.location,
    async ping(timeoutMs = 2_000) {
      const failure = embedded.failure();
      if (failure) throw failure;
      await withTimeout(embedded.pool.query('select 1'), timeoutMs, 'database ping');
    },
    // One process owns the data folder (pid lock): no other node runs beside this one, but callers in this
    // process do (a TUF import and the timestamp refresh), so the lock is a mutex per key.
    withExclusiveLock: keyedMutex(),
    backgroundTurn: () => embedded.backgroundTurn(),
    close: () => embedded.close(),
  };
}

/** Convenience for raw statements in repositories and tests. */
export { sql };
