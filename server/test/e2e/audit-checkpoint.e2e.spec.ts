import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { freshPostgresDatabase, postgresAvailable, type FreshDatabase } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const pg = await postgresAvailable();

type Verification = {
  ok: boolean;
  entries: number;
  brokenAt: unknown;
  checkpoints: { count: number; latest: { seq: number } | null };
  checkpointProblem: { reason: string; message: string } | null;
};

describe.skipIf(!pg)('audit truncation is named by `pakawaaz audit verify` (signed checkpoints)', () => {
  let db: FreshDatabase;
  let server: TestServer;

  beforeAll(async () => {
    db = await freshPostgresDatabase();
    // Checkpoints every second, so the test need not wait ten minutes.
    server = await startTestServer({ DATABASE_URL: db.url, PAKAWAAZ_AUDIT_CHECKPOINT_SECONDS: '1' });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it('reports the newest entries deleted by a database superuser, over the API and offline', async () => {
    const token = await server.adminToken();
    const env = { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: token };
    for (const name of ['one', 'two', 'three'])
      expect((await runCli(['tokens', 'create', '--role', 'viewer', '--name', name], env)).code).toBe(0);
    const count = async () =>
      Number((await db.query<{ n: string }>('select count(*) as n from platform.audit_log')).rows[0]?.n);
    const entries = await count();
    // Wait until a checkpoint covers the newest entry.
    for (let i = 0; ; i++) {
      const r = await db.query<{ seq: string }>('select max(seq) as seq from platform.audit_checkpoints');
      if (Number(r.rows[0]?.seq) >= entries) break;
      if (i > 100) throw new Error('no checkpoint covered the newest entry');
      await new Promise((r) => setTimeout(r, 100));
    }
    const ok = await runCli(['audit', 'verify', '--json'], env);
    expect(ok.code, ok.stdout).toBe(0);

    // The newest two entries go, as someone with owner rights on the database can make them go.
    await db.query('alter table platform.audit_log disable trigger user');
    await db.query(`delete from platform.audit_log where seq > ${entries - 2}`);
    await db.query('alter table platform.audit_log enable trigger user');

    const broken = await runCli(['audit', 'verify'], env);
    expect(broken.code).toBe(5);
    expect(broken.stdout).toMatch(/^BROKEN: truncated: .*entries #\d+–#\d+ were deleted\n$/);

    // The auditor's independent check: the database and the key folder, no server involved.
    const offline = await runCli(['audit', 'verify', '--offline', '--json'], {
      DATABASE_URL: db.url,
      PAKAWAAZ_DATA_DIR: server.dataDir,
    });
    expect(offline.code).toBe(5);
    const v = JSON.parse(offline.stdout) as Verification;
    expect(v).toMatchObject({ ok: false, brokenAt: null, checkpointProblem: { reason: 'truncated' } });
    expect(v.checkpointProblem?.message).toMatch(/were deleted/);
  });
});
