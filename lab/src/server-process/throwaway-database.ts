import pg from 'pg';

/**
 * A PostgreSQL database for one run (production mode), created from an admin connection and dropped
 * afterwards whatever happens. Resolves `null` without running `body` when PostgreSQL is not reachable, so
 * a benchmark can skip its PostgreSQL rows with a notice instead of failing.
 */
export async function withThrowawayDatabase<T>(
  adminUrl: string,
  name: string,
  body: (databaseUrl: string) => Promise<T>,
): Promise<T | null> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new RangeError('database name must be a plain identifier');
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2_000 });
  try {
    await admin.connect();
  } catch {
    return null;
  }
  try {
    await admin.query(`create database "${name}"`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return await body(url.toString());
  } finally {
    await admin.query(`drop database if exists "${name}" with (force)`).catch(() => undefined);
    await admin.end();
  }
}
