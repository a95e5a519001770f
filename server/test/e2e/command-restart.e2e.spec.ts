import 'reflect-metadata';
import { SimulatedHandset } from '@pakawaaz/handset-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../support/cli.js';
import { HandsetLedger } from '../support/handset-ledger.js';
import { restartableServer, type RestartableServer } from '../support/restartable-server.js';

/*
 * A command queued through the API outlives the server process (embedded database, real restart): after the
 * restart the same idempotency key returns the same command, and the handset receives it exactly once,
 * obeys it and acknowledges it.
 */
let server: RestartableServer;
let admin: string;
let ledger: HandsetLedger;

type Command = { id: string; type: string; state: string };

const lock = (key = 'restart-lock-1', type = 'lock') =>
  server.request<Command & { code?: string }>(
    admin,
    'POST',
    `/api/v1/devices/${ledger.handset.deviceId}/commands`,
    { type, idempotencyKey: key },
  );

beforeAll(async () => {
  ensureBuilt();
  server = await restartableServer();
  await server.start();
  admin = await server.adminToken();
  const inst = await server.request<{ id: string }>(admin, 'POST', '/api/v1/institutions', {
    name: 'Ministry of Restarts',
  });
  await server.request(admin, 'POST', '/api/v1/users', {
    username: 'rida.restart',
    displayName: 'Rida Restart',
    kind: 'official',
    institution: inst.body.id,
    password: 'quartz-lantern-orchard-58',
  });
  const t = await server.request<{ token: string }>(admin, 'POST', '/api/v1/enrolment-tokens', {
    official: 'rida.restart',
  });
  const handset = new SimulatedHandset({
    apiUrl: server.url,
    deviceUrl: server.deviceUrl,
    root: server.root,
  });
  await handset.enrol(t.body.token);
  ledger = new HandsetLedger(handset);
}, 150_000);

afterAll(async () => {
  ledger?.handset.close();
  await server?.dispose();
});

describe('a queued command across a restart of the real process', () => {
  it('is kept, returned again for its idempotency key, delivered once and acknowledged', async () => {
    expect(await ledger.checkIn()).toBe(true);
    const queued = await lock();
    expect(queued.status).toBe(201);
    expect(queued.body.state).toBe('queued');

    await server.stop();
    await server.start();

    const again = await lock();
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: queued.body.id, state: 'queued' });
    // The key is bound to what it made: another command under it is refused, not queued.
    const other = await lock('restart-lock-1', 'reboot');
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('idempotency_key_reused');

    for (let i = 0; i < 3; i++) expect(await ledger.checkIn()).toBe(true);
    expect([...ledger.received]).toEqual([[queued.body.id, 1]]);
    expect(ledger.acknowledged).toEqual(new Set([queued.body.id]));
    expect(ledger.handset.state.locked).toBe(true);

    const history = await server.request<{ commands: Command[] }>(
      admin,
      'GET',
      `/api/v1/devices/${ledger.handset.deviceId}/commands`,
    );
    expect(history.body.commands).toEqual([
      expect.objectContaining({ id: queued.body.id, state: 'succeeded' }),
    ]);
    // Re-queueing with the key after the acknowledgement is still that command, not a new lock.
    const late = await lock();
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ id: queued.body.id, state: 'succeeded' });
  });
});
