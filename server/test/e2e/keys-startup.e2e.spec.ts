import { randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { createLogger, DATABASE, KeyError, sql, type DatabaseHandle } from '@pakawaaz/platform';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/bootstrap.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** Issue 9: a data folder whose sealed data has lost its key must not start "ready" and fail every request. */
describe('keys at start-up', () => {
  let server: TestServer | undefined;
  let closed = false;
  afterAll(async () => {
    if (!server) return;
    if (closed) await rm(server.dataDir, { recursive: true, force: true });
    else await server.stop();
  });

  it('creates every key 0600 on a fresh start, and refuses to start once a key that sealed data needs is gone', async () => {
    server = await startTestServer({ RADIUS_ENABLED: 'false' });
    const keysDir = path.join(server.dataDir, 'keys');
    for (const f of ['identity-secrets.key', 'token-signing-key.jwk', 'kek.json'])
      expect((await stat(path.join(keysDir, f))).mode & 0o777, f).toBe(0o600);
    expect((await stat(keysDir)).mode & 0o777).toBe(0o700);

    // Something sealed under the identity secrets key: a RADIUS client's shared secret.
    const box = server.app.get<{ seal(p: string, b: Buffer): Promise<string> }>(
      Symbol.for('pakawaaz.identity.SecretBox'),
    );
    const sealed = await box.seal('radius-secret', Buffer.from('testing123'));
    const db = server.app.get<DatabaseHandle>(DATABASE).db;
    await db.execute(
      sql`insert into identity.radius_clients (id, name, cidr, sealed_secret) values (${randomUUID()}, 'nas-1', '127.0.0.1/32', ${sealed})`,
    );
    await server.close();
    closed = true;

    const lost = path.join(keysDir, 'identity-secrets.key');
    await rm(lost);
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      PAKAWAAZ_DATA_DIR: server.dataDir,
      PAKAWAAZ_REQUIRE_PASSKEYS: 'false',
      RADIUS_ENABLED: 'false',
      LOG_LEVEL: 'silent',
    };
    const err = await startServer({ env, logger: createLogger({ level: 'silent' }) }).then(
      async (s) => {
        await s.close();
        throw new Error('the server started without the identity secrets key');
      },
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(KeyError);
    expect(err.message).toContain(
      `The key ${lost} is missing, but the database holds TOTP seeds and RADIUS client secrets`,
    );
    expect(err.message).toContain(
      'Restore it from your key backup (or set PAKAWAAZ_IDENTITY_SECRETS_KEY_FILE',
    );
    // Nothing was created in its place: restoring the backup is still possible.
    await expect(stat(lost)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
