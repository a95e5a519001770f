import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCodeAtStep, totpStepAt } from '@pakawaaz/totp';
import { ensureBuilt, runCli } from '../support/cli.js';
import { freshPostgresDatabase, postgresAvailable, type FreshDatabase } from '../support/postgres.js';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server.js';

beforeAll(() => ensureBuilt());

const OWNER_PASSWORD = 'meadow-lantern-copper-73';

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

  it('lists each token with its owner and last use, and refuses it while the owner is disabled', async () => {
    const admin = { ...env, PAKAWAAZ_TOKEN: await server.adminToken() };
    const added = await runCli(
      ['users', 'add', '--operator', '--username', 'tok-owner', '--role', 'super-admin', '--password-stdin'],
      admin,
      `${OWNER_PASSWORD}\n`,
    );
    expect(added.code, added.stderr).toBe(0);
    const owner = (
      await runCli(['login', '--username', 'tok-owner', '--password-stdin'], env, `${OWNER_PASSWORD}\n`)
    ).stdout.trim();
    const made = await runCli(['tokens', 'create', '--role', 'viewer', '--name', 'owned'], {
      ...env,
      PAKAWAAZ_TOKEN: owner,
    });
    const token = { ...env, PAKAWAAZ_TOKEN: made.stdout.trim() };
    expect((await runCli(['users', 'list'], token)).code).toBe(0);
    const listed = await runCli(['tokens', 'list'], admin);
    expect(listed.stdout).toMatch(
      /^ID\s+STATE\s+ROLES\s+OWNER\s+EXPIRES \(UTC\)\s+LAST USED \(UTC\)\s+NAME$/m,
    );
    expect(listed.stdout).toMatch(
      /active\s+viewer\s+tok-owner\s+never\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+owned$/m,
    );

    expect(
      (await runCli(['users', 'disable', '--username', 'tok-owner', '--reason', 'left'], admin)).code,
    ).toBe(0);
    const refused = await runCli(['users', 'list'], token);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('unauthenticated');
    expect(
      (await runCli(['users', 'enable', '--username', 'tok-owner', '--reason', 'back'], admin)).code,
    ).toBe(0);
    expect((await runCli(['users', 'list'], token)).code).toBe(0);
  });

  it('factor resets: no seed for administrators, two people for national roles, the user enrols at sign-in', async () => {
    const admin = { ...env, PAKAWAAZ_TOKEN: await server.adminToken() };
    const add = (username: string, role: string) =>
      runCli(
        ['users', 'add', '--operator', '--username', username, '--role', role, '--password-stdin'],
        admin,
        `${OWNER_PASSWORD}\n`,
      );
    expect((await add('netops', 'network-admin')).code).toBe(0);
    expect((await add('officer2', 'security-officer')).code).toBe(0);
    // netops enrols TOTP themselves (My account); nobody else ever sees the seed.
    const netops = (
      await runCli(['login', '--username', 'netops', '--password-stdin'], env, `${OWNER_PASSWORD}\n`)
    ).stdout.trim();
    const begun = (await (
      await server.request('POST', '/api/v1/account/totp', { token: netops })
    ).json()) as { secret: string };
    const confirm = await server.request('POST', '/api/v1/account/totp/confirm', {
      token: netops,
      body: { code: totpCodeAtStep(begun.secret, totpStepAt(new Date()) - 1) },
    });
    expect(confirm.status).toBe(200);

    const seed = await runCli(['users', 'totp', '--username', 'netops'], admin);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toContain('users reset-factors');

    const asked = await runCli(
      ['users', 'reset-factors', '--username', 'netops', '--reason', 'phone stolen (e2e)'],
      admin,
    );
    expect(asked.code, asked.stderr).toBe(0);
    const [partA, note] = asked.stdout.split('\n');
    expect(partA).toMatch(/^[\w-]{12}$/);
    const requestId = /approve-reset ([0-9a-f-]{36})/.exec(note ?? '')?.[1];
    expect(requestId).toBeTruthy();
    expect((await runCli(['users', 'factor-resets'], admin)).stdout).toContain('netops');
    const self = await runCli(['users', 'approve-reset', requestId!], admin);
    expect(self.code).toBe(4);
    expect(self.stderr).toContain('two_person_rule');

    const officer = (
      await runCli(['login', '--username', 'officer2', '--password-stdin'], env, `${OWNER_PASSWORD}\n`)
    ).stdout.trim();
    const approved = await runCli(['users', 'approve-reset', requestId!], {
      ...env,
      PAKAWAAZ_TOKEN: officer,
    });
    expect(approved.code, approved.stderr).toBe(0);
    const partB = approved.stdout.trim();
    expect(partB).toMatch(/^[\w-]{12}$/);
    // netops's old sessions ended with the reset.
    expect((await server.request('GET', '/api/v1/auth/me', { token: netops })).status).toBe(401);

    // The one-time password (both halves), a new password, then the new authenticator — by netops alone.
    const first = await runCli(
      ['login', '--username', 'netops', '--password-stdin', '--new-password-stdin'],
      env,
      `${partA}${partB}\nwillow-compass-harbour-58\n`,
    );
    expect(first.code).toBe(4);
    const secret = /Secret key: ([A-Z2-7]{32})/.exec(first.stderr)?.[1];
    const ticket = /--continue (\S+) --totp/.exec(first.stderr)?.[1];
    expect(secret && ticket).toBeTruthy();
    const done = await runCli(
      ['login', '--continue', ticket!, '--totp', totpCodeAtStep(secret!, totpStepAt(new Date()))],
      env,
    );
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(done.stderr.match(/^[2-9a-km-z]{4}-[2-9a-km-z]{4}-[2-9a-km-z]{4}$/gm)).toHaveLength(10);
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
    expect(verify.stdout).toMatch(
      /^OK: audit chain intact, \d+ entries, head [0-9a-f]{64}; latest signed checkpoint \d+ covers #\d+ \(.+\)\n$/,
    );
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
