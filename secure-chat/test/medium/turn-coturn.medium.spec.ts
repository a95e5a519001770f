import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  allocates,
  coturnAvailable,
  freeTcpPort,
  requireServices,
  startCoturn,
  type Coturn,
} from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TurnService } from '../../src/calls/turn/turn.service.js';

if (!coturnAvailable() && requireServices())
  throw new Error('coturn is not installed (apt-get install coturn) and PAKAWAAZ_REQUIRE_SERVICES is set');

/*
 * The credentials the server issues per call are the TURN REST API's: a real coturn with use-auth-secret
 * accepts them (an allocation on loopback with turnutils_uclient) and refuses a wrong password and an expired
 * username.
 */
describe.skipIf(!coturnAvailable())('TURN credentials against a real coturn', () => {
  const secret = randomBytes(24).toString('hex');
  let dir: string;
  let coturn: Coturn;
  let turn: TurnService;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-coturn-'));
    await writeFile(path.join(dir, 'turn-secret'), `${secret}\n`, { mode: 0o600 });
    coturn = await startCoturn({ port: await freeTcpPort(), secret, dir });
    turn = new TurnService({
      turn: {
        urls: [`turn:127.0.0.1:${coturn.port}?transport=udp`],
        secretFile: path.join(dir, 'turn-secret'),
        ttlSeconds: 600,
        probeMs: 30_000,
      },
    });
  }, 30_000);

  afterAll(async () => {
    await coturn?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('allocates with the issued credentials', async () => {
    const c = (await turn.issue('device-amina'))!;
    expect(c.urls).toEqual([`turn:127.0.0.1:${coturn.port}?transport=udp`]);
    expect(await allocates(coturn.port, c.username, c.credential)).toBe(true);
  });

  it('refuses a wrong password and an expired username', async () => {
    const c = (await turn.issue('device-amina'))!;
    expect(await allocates(coturn.port, c.username, Buffer.from('not-the-hmac').toString('base64'))).toBe(
      false,
    );
    const expired = (await turn.issue('device-amina', Date.now() - 3_600_000))!;
    expect(await allocates(coturn.port, expired.username, expired.credential)).toBe(false);
  });

  it('issues nothing when TURN is not configured', async () => {
    expect(await new TurnService({ turn: null }).issue('device-amina')).toBeNull();
  });
});
