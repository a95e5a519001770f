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
export class DatabaseCpu {
  private constructor(private readonly client: pg.Client) {}

  static async open(databaseUrl: string): Promise<DatabaseCpu> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    return new DatabaseCpu(client);
  }

  private async pids(): Promise<number[]> {
    const r = await this.client.query<{ pid: number }>(
      `select pid from pg_stat_activity
        where (datname = current_database() and pid <> pg_backend_pid()) or backend_type = 'walwriter'`,
    );
    return r.rows.map((row) => row.pid);
  }

  /** Starts a measurement: its end resolves to the CPU seconds spent since (user + system). */
  async start(): Promise<() => Promise<number>> {
    const before = new Map((await this.pids()).map((pid) => [pid, cpu(pid)]));
    return async () => {
      let spent = 0;
      for (const pid of await this.pids()) {
        const now = cpu(pid);
        const then = before.get(pid);
        if (Number.isNaN(now) || (then !== undefined && Number.isNaN(then))) continue;
        spent += now - (then ?? 0);
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
