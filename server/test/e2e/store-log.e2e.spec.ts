import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TransparencyLogService } from '@pakawaaz/app-store';
import { DATABASE, sql, type DatabaseHandle } from '@pakawaaz/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * The APK transparency log over real HTTP and the real `pakawaaz` binary: save a checkpoint, let the log
 * grow, verify it only grew (pinned key), and catch a forged checkpoint and a leaf rewritten in the database.
 * Entries are appended through the service (approval appends them: tested on the database in app-store's
 * medium tests), with the server's own Ed25519 key from the key service.
 */
const ORIGIN = 'pakawaaz.e2e/app-store/log';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

let server: TestServer;
let admin: string;
let dir: string;
let log: TransparencyLogService;

async function append(n: number) {
  await log.append({
    versionId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    packageName: 'gov.pk.e2e.mail',
    versionCode: n,
    apkSha256: sha(`apk ${n}`),
    signers: [sha('signer')],
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-store-log-e2e-'));
  server = await startTestServer({ OPEN5GS_MONITOR: 'off', PAKAWAAZ_STORE_LOG_ORIGIN: ORIGIN });
  admin = await server.adminToken();
  log = server.app.get(TransparencyLogService);
});
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('pakawaaz store log', () => {
  it('saves checkpoints, verifies the log only grew, and catches forgeries and rewritten leaves', async () => {
    ensureBuilt();
    const env = { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: admin };
    for (let n = 0; n < 3; n++) await append(n);

    const keyReply = await server.request('GET', '/api/v1/store/log/key', { token: admin });
    expect(keyReply.headers.get('content-type')).toContain('text/plain');
    const key = (await keyReply.text()).trim();
    expect(key).toMatch(new RegExp(`^${ORIGIN.replace(/\./g, '\\.')}\\+[0-9a-f]{8}\\+`));

    const old = path.join(dir, 'old.txt');
    const saved = await runCli(['store', 'log', 'checkpoint', '--out', old], env);
    expect(saved.code, saved.stderr).toBe(0);
    expect(await readFile(old, 'utf8')).toMatch(new RegExp(`^${ORIGIN}\n3\n`));

    for (let n = 3; n < 5; n++) await append(n);
    const ok = await runCli(['store', 'log', 'verify', old, '--key', key], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('consistent: the tree of 5 extends the tree of 3');
    // Without a pinned key it still checks, and says the key should be pinned.
    const unpinned = await runCli(['store', 'log', 'verify', old], env);
    expect(unpinned.code, unpinned.stderr).toBe(0);
    expect(unpinned.stderr).toContain('pin it with --key');

    const newer = path.join(dir, 'new.txt');
    expect((await runCli(['store', 'log', 'checkpoint', '--out', newer], env)).code).toBe(0);
    expect((await runCli(['store', 'log', 'verify', old, newer, '--key', key], env)).code).toBe(0);
    // The inclusion route proves an APK's leaf (the catalogue embeds the same).
    const inc = await server.json<{ leafIndex: number; treeSize: number; proof: string[] }>(
      'GET',
      `/api/v1/store/log/inclusion?sha256=${sha('apk 2')}`,
      { token: admin },
    );
    expect(inc).toMatchObject({ leafIndex: 2, treeSize: 5 });
    const missing = await server.request('GET', `/api/v1/store/log/inclusion?sha256=${sha('nope')}`, {
      token: admin,
    });
    expect(missing.status).toBe(404);

    // A checkpoint edited by hand: its signature fails.
    const forged = path.join(dir, 'forged.txt');
    await writeFile(forged, (await readFile(newer, 'utf8')).replace(`\n5\n`, '\n6\n'));
    const f = await runCli(['store', 'log', 'verify', old, forged, '--key', key], env);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain('NOT consistent');
    // Unreadable input.
    expect(
      (await runCli(['store', 'log', 'verify', path.join(dir, 'absent.txt'), '--key', key], env)).code,
    ).toBe(1);

    // A leaf of the old tree rewritten in the database: the server's consistency proof no longer links the
    // saved checkpoint to its current one.
    const db = server.app.get<DatabaseHandle>(DATABASE);
    await db.db.execute(
      sql`update app_store.log_nodes set hash = ${sha('evil apk')} where level = 0 and index = 2`,
    );
    const t = await runCli(['store', 'log', 'verify', old, '--key', key], env);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain('does not extend the tree of 3');
  });
});
