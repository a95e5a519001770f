import pg from 'pg';
import { processCpuSplit } from './load.js';

/**
 * PostgreSQL's CPU for a bench's database (from /proc, as the server's): the backends connected to it (the
 * server's pool) and the WAL writer, which flushes their commits — PostgreSQL shares the machine's cores with
 * the server, so a figure per message of the server alone leaves out what its durability costs. The WAL
 * writer serves every database of the cluster: other work on the machine during a run would count here too.
 * A backend that connects during a run counts whole (all its CPU is the run's); one that disconnects during it
 * is lost (a lower bound, then; the server's pool keeps its connections under load).
 */
/** What a measurement found: CPU seconds (with two parts of it) and transactions committed. */
export type DatabaseSpent = { cpu: number; autovacuum: number; walWriter: number; commits: number };

export class DatabaseCpu {
  private constructor(private readonly client: pg.Client) {}

  static async open(databaseUrl: string): Promise<DatabaseCpu> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    return new DatabaseCpu(client);
  }

  private async pids(): Promise<{ pid: number; type: string }[]> {
    const r = await this.client.query<{ pid: number; type: string }>(
      `select pid, backend_type as type from pg_stat_activity
        where (datname = current_database() and pid <> pg_backend_pid()) or backend_type = 'walwriter'`,
    );
    return r.rows;
  }

  /** The bench database's committed transactions so far (pg_stat_database; this connection's own are few). */
  private async commits(): Promise<number> {
    const r = await this.client.query<{ n: string }>(
      'select xact_commit::text as n from pg_stat_database where datname = current_database()',
    );
    return Number(r.rows[0]?.n ?? NaN);
  }

  /**
   * Starts a measurement: its end resolves to the CPU seconds spent since (user + system), the autovacuum
   * workers' and the WAL writer's part of them, and the transactions committed in the database meanwhile.
   */
  async start(): Promise<() => Promise<DatabaseSpent>> {
    const before = new Map((await this.pids()).map(({ pid }) => [pid, cpu(pid)]));
    const commits0 = await this.commits();
    return async () => {
      const spent: DatabaseSpent = { cpu: 0, autovacuum: 0, walWriter: 0, commits: 0 };
      // Backends report their counts to pg_stat_database at most once a second: the count lags the run by
      // about that much at both ends, which a 10 s run of steady traffic mostly cancels.
      spent.commits = (await this.commits()) - commits0;
      for (const { pid, type } of await this.pids()) {
        const now = cpu(pid);
        const then = before.get(pid);
        if (Number.isNaN(now) || (then !== undefined && Number.isNaN(then))) continue;
        const d = now - (then ?? 0);
        spent.cpu += d;
        if (type === 'autovacuum worker') spent.autovacuum += d;
        if (type === 'walwriter') spent.walWriter += d;
      }
      return spent;
    };
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

function cpu(pid: number): number {
  const c = processCpuSplit(pid);
  return c.user + c.system;
}
