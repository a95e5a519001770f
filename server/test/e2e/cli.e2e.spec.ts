import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';
import { freshPostgresDatabase, postgresAvailable, type FreshDatabase } from '../support/postgres.js';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server.js';

beforeAll(() => ensureBuilt());

describe('pakawaaz CLI against a running server (embedded)', () => {
  let server: TestServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer();
    env = { PAKAWAAZ_URL: server.url };
  });
  afterAll(() => server.stop());

  it('signs in non-interactively and prints only the access token', async () => {
    const r = await runCli(
      ['login', '--username', 'admin', '--password-stdin'],
      env,
      `${TEST_ADMIN_PASSWORD}\n`,
    );
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const bad = await runCli(['login', '--username', 'admin', '--password', 'wrong-password'], env);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain('invalid_credentials: Wrong username or password.');
  });

  it('creates, lists and revokes API tokens for automation', async () => {
    const token = (
      await runCli(['login', '--username', 'admin', '--password-stdin'], env, TEST_ADMIN_PASSWORD)
    ).stdout.trim();
    const authed = { ...env, PAKAWAAZ_TOKEN: token };
    const created = await runCli(
      [
        'tokens',
        'create',
        '--role',
        'viewer',
        'sim-operator',
        '--name',
        'ci-provisioning',
        '--expires-in-days',
        '30',
      ],
      authed,
    );
    expect(created.code).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^pkz_[\w-]{43}$/);
    expect(created.stderr).toMatch(
      /created API token [0-9a-f-]{36} \(ci-provisioning: viewer, sim-operator\)/,
    );

    const listed = JSON.parse((await runCli(['tokens', 'list', '--json'], authed)).stdout) as {
      tokens: { id: string; name: string; roles: string[]; expiresAt: string }[];
    };
    const entry = listed.tokens.find((t) => t.name === 'ci-provisioning');
    expect(entry?.roles).toEqual(['viewer', 'sim-operator']);
    expect(new Date(entry!.expiresAt).getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const asViewer = await runCli(['tokens', 'create', '--role', 'super-admin'], {
      ...env,
      PAKAWAAZ_TOKEN: secret,
    });
    expect(asViewer.code).toBe(4);
    expect(asViewer.stderr).toContain('forbidden');

    expect((await runCli(['tokens', 'revoke', entry!.id], authed)).code).toBe(0);
    const afterRevoke = await runCli(['tokens', 'list'], { ...env, PAKAWAAZ_TOKEN: secret });
    expect(afterRevoke.code).toBe(4);
    expect(afterRevoke.stderr).toContain('unauthenticated');
  });

  it('rejects bad usage with exit code 2 and says what is missing', async () => {
    const noRole = await runCli(['tokens', 'create'], { ...env, PAKAWAAZ_TOKEN: 'x' });
    expect(noRole.code).toBe(2);
    expect(noRole.stderr).toContain("required option '--role <role...>' not specified");
    const badRole = await runCli(['tokens', 'create', '--role', 'god'], { ...env, PAKAWAAZ_TOKEN: 'x' });
    expect(badRole.code).toBe(2);
    // The registered roles, read from the committed openapi.json (kernel roles first, then the domains').
    expect(badRole.stderr).toContain(
      'Allowed choices are super-admin, security-officer, viewer, sim-operator',
    );
    const noToken = await runCli(['tokens', 'list'], env);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('Set PAKAWAAZ_TOKEN');
  });

  it('reports readiness and verifies the audit chain', async () => {
    const status = await runCli(['status'], env);
    expect(status).toMatchObject({ code: 0, stdout: 'ready database=up eventBus=up\n' });
    const token = await server.adminToken();
    const verify = await runCli(['audit', 'verify'], { ...env, PAKAWAAZ_TOKEN: token });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^OK: audit chain intact, \d+ entries, head [0-9a-f]{64}\n$/);
  });

  it('says clearly when the server cannot be reached', async () => {
    const r = await runCli(['status'], { PAKAWAAZ_URL: 'http://127.0.0.1:59999' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      'Cannot reach Pakawaaz at http://127.0.0.1:59999 (ECONNREFUSED). Is it running (npm start)?',
    );
  });
});

const pg = await postgresAvailable();

describe.skipIf(!pg)('audit tampering on PostgreSQL is named by `pakawaaz audit verify`', () => {
  let db: FreshDatabase;
  let server: TestServer;

  beforeAll(async () => {
    db = await freshPostgresDatabase();
    server = await startTestServer({ DATABASE_URL: db.url });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it('reports OK on an untouched log and the first broken entry after a row is altered in the database', async () => {
    const token = await server.adminToken();
    const env = { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: token };
    await runCli(['tokens', 'create', '--role', 'viewer', '--name', 'one'], env);
    await runCli(['tokens', 'create', '--role', 'viewer', '--name', 'two'], env);
    const ok = await runCli(['audit', 'verify', '--json'], env);
    expect(ok.code).toBe(0);
    const intact = JSON.parse(ok.stdout) as { ok: boolean; entries: number };
    expect(intact.ok).toBe(true);

    // The table refuses updates (append-only trigger)…
    await expect(
      db.query(
        `update platform.audit_log set actor_id = 'mallory' where action = 'identity.api-token.created'`,
      ),
    ).rejects.toThrow(/append-only/);
    // …so a tamperer with owner rights disables the trigger first.
    const victim = await db.query<{ seq: string }>(
      `select seq from platform.audit_log where action = 'identity.api-token.created' order by seq limit 1`,
    );
    const seq = Number(victim.rows[0]?.seq);
    await db.query('alter table platform.audit_log disable trigger user');
    await db.query(
      `update platform.audit_log set details = jsonb_set(details, '{roles}', '["super-admin"]') where seq = $1`,
      [seq],
    );
    await db.query('alter table platform.audit_log enable trigger user');

    const broken = await runCli(['audit', 'verify'], env);
    expect(broken.code).toBe(5);
    expect(broken.stdout).toMatch(
      new RegExp(
        `^BROKEN: first broken entry #${seq} \\([0-9a-f-]{36}\\): hash_mismatch; ${seq - 1} entries checked before it\\n$`,
      ),
    );

    // An auditor can check the database directly, independently of the API.
    const offline = await runCli(['audit', 'verify', '--offline', '--json'], { DATABASE_URL: db.url });
    expect(offline.code).toBe(5);
    expect(JSON.parse(offline.stdout)).toMatchObject({
      ok: false,
      brokenAt: { seq, reason: 'hash_mismatch' },
    });
  });

  it('migrate is idempotent and prints each domain', async () => {
    const r = await runCli(['migrate'], { DATABASE_URL: db.url });
    expect(r.code).toBe(0);
    for (const d of ['platform', 'core-network', 'identity', 'secure-chat'])
      expect(r.stdout).toMatch(new RegExp(`${d}\\s+\\d+/\\d+ migrations applied`));
  });
});
