import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AuditService, openDatabase, type DatabaseHandle } from '@pakawaaz/platform';
import argon2 from 'argon2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_INSTITUTION,
  FIRST_ADMIN_USERNAME,
  FirstStartService,
} from '../../src/bootstrap/first-start.service.js';
import { InitialPasswordFile } from '../../src/bootstrap/initial-password-file.js';
import { UsersRepository } from '../../src/users/users.repository.js';
import { hashApiTokenSecret } from '../../src/tokens/api-token-secret.js';
import { ApiTokensRepository } from '../../src/tokens/api-tokens.repository.js';
import { testLogger } from '@pakawaaz/test-support';
import {
  createIdentityFixture,
  query,
  resetIdentityData,
  type IdentityFixture,
} from '../support/identity-fixture.js';

let fx: IdentityFixture;
let run = 0;

beforeAll(async () => {
  fx = await createIdentityFixture();
});

afterAll(async () => {
  await fx?.close();
});

// Every test starts from a data store that has never been started, in a data dir of its own.
let dataDir: string;
beforeEach(async () => {
  await resetIdentityData(fx.handle);
  dataDir = path.join(fx.tmp, `data-${++run}`, 'nested');
});

type AuditRow = {
  action: string;
  actor_type: string;
  actor_id: string;
  target: string | null;
  details: Record<string, unknown>;
};
const auditRows = () =>
  query<AuditRow>(
    fx.handle,
    'select action, actor_type, actor_id, target, details from platform.audit_log order by seq',
  );
const mode = async (p: string) => (await stat(p)).mode & 0o777;

describe('FirstStartService on an empty database', () => {
  it('creates admin as super-admin with an argon2id hash and writes the generated password to a 0600 file', async () => {
    const result = await fx.firstStart({ dataDir, seedDemo: false }).run();

    expect(result.firstStart).toBe(true);
    if (!result.firstStart) return;
    expect(result.adminUsername).toBe('admin');
    expect(result.adminPassword).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const password = result.adminPassword ?? '';
    expect(result.passwordFile).toBe(path.join(dataDir, 'initial-admin-password'));
    expect(await readFile(path.join(dataDir, 'initial-admin-password'), 'utf8')).toBe(`${password}\n`);
    expect(await mode(path.join(dataDir, 'initial-admin-password'))).toBe(0o600);
    expect(await mode(dataDir)).toBe(0o700);

    const admin = await fx.users.findByUsername(FIRST_ADMIN_USERNAME);
    expect(admin).toMatchObject({
      username: 'admin',
      roles: ['super-admin'],
      status: 'active',
      institutionId: null,
    });
    // PHC string: $argon2id$v=19$<params>$<salt>$<hash>, OWASP parameters m=19 MiB, t=2, p=1 in any order.
    const [, algorithm, version, params] = (admin?.passwordHash ?? '').split('$');
    expect([algorithm, version]).toEqual(['argon2id', 'v=19']);
    expect(params?.split(',').sort()).toEqual(['m=19456', 'p=1', 't=2']);
    expect(await argon2.verify(admin?.passwordHash ?? '', password)).toBe(true);

    // The plain password is nowhere in the database: not in the operator row, not in the audit log.
    const dump = await query<{ j: string }>(
      fx.handle,
      `select row_to_json(o)::text as j from identity.users o
       union all select row_to_json(a)::text from platform.audit_log a`,
    );
    expect(dump.length).toBeGreaterThan(1);
    for (const { j } of dump) expect(j).not.toContain(password);
  });

  it('uses a configured admin password and then neither writes a file nor echoes it', async () => {
    const configured = 'correct horse battery staple';
    const result = await fx.firstStart({ dataDir, adminPassword: configured }).run();
    expect(result).toMatchObject({ firstStart: true, adminPassword: null, passwordFile: null });
    await expect(stat(path.join(dataDir, 'initial-admin-password'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    const admin = await fx.users.findByUsername('admin');
    expect(await argon2.verify(admin?.passwordHash ?? '', configured)).toBe(true);
    // The installer chose it: no forced change.
    expect(admin?.mustChangePassword).toBe(false);
  });

  it('makes the generated password one that must be changed at the first sign-in', async () => {
    await fx.firstStart({ dataDir }).run();
    expect((await fx.users.findByUsername('admin'))?.mustChangePassword).toBe(true);
  });

  it('removes a left-over password file at start-up once the password in it no longer works', async () => {
    await fx.firstStart({ dataDir }).run();
    const file = path.join(dataDir, 'initial-admin-password');
    // Changed elsewhere (another node, or a version that left the file): the next start removes it.
    const admin = await fx.users.findByUsername('admin');
    await fx.users.update(admin?.id ?? '', {
      passwordHash: await argon2.hash('a completely different passphrase', { type: argon2.argon2id }),
    });
    expect(await fx.firstStart({ dataDir }).run()).toEqual({ firstStart: false });
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('seeds the demo institution only when seedDemo is on', async () => {
    const withDemo = await fx
      .firstStart({ dataDir, adminPassword: 'a long enough password', seedDemo: true })
      .run();
    expect(withDemo).toMatchObject({ firstStart: true, demoInstitution: true });
    expect(await query<{ name: string }>(fx.handle, 'select name from identity.institutions')).toEqual([
      { name: DEMO_INSTITUTION },
    ]);
    expect((await auditRows()).map((r) => r.action)).toContain('identity.institution.created');

    await resetIdentityData(fx.handle);
    const without = await fx
      .firstStart({ dataDir, adminPassword: 'a long enough password', seedDemo: false })
      .run();
    expect(without).toMatchObject({ firstStart: true, demoInstitution: false });
    expect(await query(fx.handle, 'select name from identity.institutions')).toEqual([]);
  });

  it('turns PAKAWAAZ_BOOTSTRAP_TOKEN into a super-admin API token stored as a hash only', async () => {
    const bootstrap = randomBytes(32).toString('hex');
    const result = await fx
      .firstStart({ dataDir, bootstrapToken: bootstrap, adminPassword: 'a long enough password' })
      .run();
    expect(result).toMatchObject({ firstStart: true, bootstrapToken: true });

    const rows = await query<Record<string, unknown>>(fx.handle, 'select * from identity.api_tokens');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      name: 'bootstrap',
      secret_hash: hashApiTokenSecret(bootstrap),
      roles: ['super-admin'],
      revoked_at: null,
    });
    expect(JSON.stringify(rows)).not.toContain(bootstrap);
    expect(JSON.stringify(await auditRows())).not.toContain(bootstrap);

    const principal = await fx.tokens.verify(bootstrap);
    expect(principal).toMatchObject({
      actor: { type: 'api-token', id: rows[0]?.id },
      name: 'bootstrap',
      roles: ['super-admin'],
      amr: [],
    });
    expect(await fx.tokens.verify(bootstrap.replace(/.$/, (c) => (c === '0' ? '1' : '0')))).toBeNull();
  });

  it('creates no API token without a bootstrap token', async () => {
    const result = await fx.firstStart({ dataDir, adminPassword: 'a long enough password' }).run();
    expect(result).toMatchObject({ firstStart: true, bootstrapToken: false });
    expect(await query(fx.handle, 'select id from identity.api_tokens')).toEqual([]);
  });

  it('audits what it created, as the system, in a chain that verifies', async () => {
    await fx.firstStart({ dataDir, seedDemo: true, bootstrapToken: 'b'.repeat(40) }).run();
    const rows = await auditRows();
    expect(rows.map((r) => r.action)).toEqual([
      'identity.operator.created',
      'identity.institution.created',
      'identity.api-token.bootstrap-created',
    ]);
    for (const r of rows) expect(r).toMatchObject({ actor_type: 'system', actor_id: 'pakawaaz' });
    expect(rows[0]).toMatchObject({
      target: 'operator:admin',
      details: { roles: ['super-admin'], reason: 'first start' },
    });
    expect(rows[2]?.target).toMatch(/^api-token:[0-9a-f-]{36}$/);
    expect(await fx.audit.verify()).toMatchObject({ ok: true, entries: 3 });
  });

  it('is a no-op on the second run: no new rows, no new audit entries, the password file untouched', async () => {
    const first = await fx.firstStart({ dataDir, seedDemo: true, bootstrapToken: 'c'.repeat(40) }).run();
    expect(first.firstStart).toBe(true);
    const fileBefore = await readFile(path.join(dataDir, 'initial-admin-password'), 'utf8');
    const adminBefore = await fx.users.findByUsername('admin');
    const auditBefore = await auditRows();

    // A restart with a different configuration must not change anything either.
    const second = await fx
      .firstStart({
        dataDir,
        seedDemo: true,
        bootstrapToken: 'd'.repeat(40),
        adminPassword: 'another long password',
      })
      .run();
    expect(second).toEqual({ firstStart: false });
    expect(await fx.users.count(undefined, 'operator')).toBe(1);
    expect((await fx.users.findByUsername('admin'))?.passwordHash).toBe(adminBefore?.passwordHash);
    expect(await query(fx.handle, 'select id from identity.api_tokens')).toHaveLength(1);
    expect(await query(fx.handle, 'select id from identity.institutions')).toHaveLength(1);
    expect(await auditRows()).toEqual(auditBefore);
    expect(await readFile(path.join(dataDir, 'initial-admin-password'), 'utf8')).toBe(fileBefore);
    expect(await fx.tokens.verify('d'.repeat(40))).toBeNull();
  });

  it('seeds exactly one admin when two runs race (same process)', async () => {
    const results = await Promise.all([
      fx.firstStart({ dataDir, seedDemo: true }).run(),
      fx.firstStart({ dataDir, seedDemo: true }).run(),
    ]);
    expect(results.filter((r) => r.firstStart)).toHaveLength(1);
    expect(await fx.users.count(undefined, 'operator')).toBe(1);
    expect(await query(fx.handle, 'select id from identity.institutions')).toHaveLength(1);
    expect((await auditRows()).filter((r) => r.action === 'identity.operator.created')).toHaveLength(1);
    expect(await fx.audit.verify()).toMatchObject({ ok: true });
  });

  it('seeds exactly one admin when two nodes (separate connection pools) start on the same fresh database', async () => {
    const second: DatabaseHandle = fx.testDb.url
      ? await openDatabase({ url: fx.testDb.url, dataDir: 'memory://', logger: testLogger, poolSize: 4 })
      : fx.handle;
    try {
      const configB = { ...fx.config, dataDir: path.join(dataDir, 'node-b') };
      const nodeB = new FirstStartService(
        second,
        configB,
        new UsersRepository(second),
        new ApiTokensRepository(second),
        new AuditService(second),
        new InitialPasswordFile(configB, testLogger),
      );
      const results = await Promise.all([
        fx.firstStart({ dataDir: path.join(dataDir, 'node-a') }).run(),
        nodeB.run(),
      ]);
      expect(results.filter((r) => r.firstStart)).toHaveLength(1);
      expect(await fx.users.count(undefined, 'operator')).toBe(1);
      expect((await auditRows()).filter((r) => r.action === 'identity.operator.created')).toHaveLength(1);
    } finally {
      if (second !== fx.handle) await second.close();
    }
  });

  // KNOWN BUG (reported, not fixed here): writePasswordFile passes mode 0600 to writeFile, which only applies
  // when the file is created; an existing 0644 file keeps its mode and now holds the new admin password.
  // Drop `.fails` once first-start.service.ts chmods the file (or unlinks it before writing).
  it('leaves the initial password file readable by the owner only even if an old one was world-readable', async () => {
    // E.g. PostgreSQL was reset but the data folder kept the file of an earlier install.
    await mkdir(dataDir, { recursive: true });
    const file = path.join(dataDir, 'initial-admin-password');
    await writeFile(file, 'old-password\n');
    await chmod(file, 0o644);

    const result = await fx.firstStart({ dataDir }).run();
    expect(result.firstStart).toBe(true);
    expect(await readFile(file, 'utf8')).not.toBe('old-password\n');
    expect(await mode(file)).toBe(0o600);
  });
});
