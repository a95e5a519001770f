import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import { SimulatedHandset } from '@pakawaaz/handset-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../support/cli.js';
import { HandsetLedger, storm } from '../support/handset-ledger.js';
import { freshPostgresDatabase, postgresAvailable, type FreshDatabase } from '../support/postgres.js';
import { restartableServer, type RestartableServer } from '../support/restartable-server.js';
import { waitFor } from '../support/server-process.js';

/*
 * The fault drill of device management: the real server on PostgreSQL is killed with SIGKILL in the middle
 * of a check-in storm of simulated handsets that acknowledge the commands an operator keeps queueing, then
 * started again. What any handset or the operator got a success reply for must have survived: every answered
 * check-in is the device's last check-in or older than it, every acknowledgement an answered check-in carried
 * is the command's final state, every queued command is there once per idempotency key, and no handset ever
 * receives the same command in two answered check-ins — before the crash, across it or after it.
 */
const DEVICES = 24;

const pg = await postgresAvailable();

let db: FreshDatabase;
let server: RestartableServer;
let admin: string;
const ledgers: HandsetLedger[] = [];
/** Idempotency key → the command id the API answered with (2xx); `null`: no answer (the server died). */
const queued = new Map<string, { deviceId: string; id: string | null }>();

type Command = { id: string; state: string };

async function queue(deviceId: string, key: string): Promise<boolean> {
  queued.set(key, { deviceId, id: null });
  const r = await server
    .request<Command>(admin, 'POST', `/api/v1/devices/${deviceId}/commands`, {
      type: 'reboot',
      idempotencyKey: key,
    })
    .catch(() => null);
  if (r && (r.status === 200 || r.status === 201)) queued.set(key, { deviceId, id: r.body.id });
  return r !== null && r.status < 300;
}

/** An operator queueing commands round robin, one request at a time, until stopped. */
function operator(prefix: string): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      const { handset } = ledgers[i % ledgers.length] as HandsetLedger;
      if (!(await queue(handset.deviceId as string, `${prefix}-${i}`))) await sleep(50);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

beforeAll(async () => {
  if (!pg) return;
  ensureBuilt();
  db = await freshPostgresDatabase();
  server = await restartableServer({ DATABASE_URL: db.url });
  await server.start();
  admin = await server.adminToken();
  const inst = await server.request<{ id: string }>(admin, 'POST', '/api/v1/institutions', {
    name: 'Ministry of Drills',
  });
  await server.request(admin, 'POST', '/api/v1/users', {
    username: 'drill.officer',
    displayName: 'Drill Officer',
    kind: 'official',
    institution: inst.body.id,
    password: 'quartz-lantern-orchard-58',
  });
  const enrol = async () => {
    const t = await server.request<{ token: string }>(admin, 'POST', '/api/v1/enrolment-tokens', {
      official: 'drill.officer',
    });
    const h = new SimulatedHandset({ apiUrl: server.url, deviceUrl: server.deviceUrl, root: server.root });
    await h.enrol(t.body.token);
    ledgers.push(new HandsetLedger(h));
  };
  for (let i = 0; i < DEVICES; i += 6) await Promise.all(Array.from({ length: 6 }, enrol));
}, 120_000);

afterAll(async () => {
  ledgers.forEach((l) => l.handset.close());
  await server?.dispose();
  await db?.drop();
});

describe.skipIf(!pg)('kill -9 during a check-in storm (PostgreSQL)', () => {
  it('loses no answered check-in, acknowledgement or queued command, and delivers none twice', async () => {
    // Before the storm: one command per handset, so acknowledgements are in flight when the server dies.
    await Promise.all(ledgers.map((l, i) => queue(l.handset.deviceId as string, `before-${i}`)));
    const checkIns = storm(ledgers);
    const queuer = operator('during');
    await waitFor(async () => {
      const acks = ledgers.reduce((n, l) => n + l.acknowledged.size, 0);
      return Promise.resolve(acks >= DEVICES && ledgers.every((l) => l.answered >= 3));
    }, 30_000);
    await server.kill9();
    await Promise.all([checkIns.stop(), queuer.stop()]);
    // The crash hit the storm: check-ins were in flight or refused while the server was gone.
    expect(ledgers.reduce((n, l) => n + l.failed, 0)).toBeGreaterThan(0);

    await server.start();
    await expectAnsweredCheckInsKept();
    await expectAcknowledgementsKept();
    await expectOneCommandPerKey();

    // After the restart: the handsets resend what they still owe, and every command ends acknowledged once.
    const after = storm(ledgers);
    await waitFor(() => allSettled(), 30_000).finally(() => after.stop());
    expect(ledgers.flatMap((l) => l.duplicates())).toEqual([]);
    const unanswered = [...queued.values()].filter((q) => q.id === null).length;
    expect(queued.size - unanswered).toBeGreaterThan(DEVICES);
  });
});

async function expectAnsweredCheckInsKept(): Promise<void> {
  const rows = await db.query<{ id: string; last_check_in_at: Date }>(
    'select id, last_check_in_at from device_mgmt.devices',
  );
  const last = new Map(rows.rows.map((r) => [r.id, r.last_check_in_at.getTime()]));
  for (const l of ledgers) {
    expect(l.lastAnsweredSentAt).not.toBeNull();
    // The server stamps a check-in when it handles it: never before the handset sent it.
    expect(last.get(l.handset.deviceId as string)).toBeGreaterThanOrEqual(l.lastAnsweredSentAt as number);
  }
}

async function expectAcknowledgementsKept(): Promise<void> {
  const acked = ledgers.flatMap((l) => [...l.acknowledged]);
  expect(acked.length).toBeGreaterThanOrEqual(DEVICES);
  const rows = await db.query<{ id: string; state: string }>(
    'select id, state from device_mgmt.device_commands where id = any($1::uuid[])',
    [acked],
  );
  expect(rows.rows).toHaveLength(acked.length);
  expect(rows.rows.filter((r) => r.state !== 'succeeded')).toEqual([]);
}

async function expectOneCommandPerKey(): Promise<void> {
  const rows = await db.query<{ id: string; idempotency_key: string; device_id: string }>(
    'select id, idempotency_key, device_id from device_mgmt.device_commands',
  );
  const byKey = new Map<string, string[]>();
  for (const r of rows.rows) byKey.set(r.idempotency_key, [...(byKey.get(r.idempotency_key) ?? []), r.id]);
  for (const [key, q] of queued) {
    // Answered: that very command is there, alone. Unanswered: at most one (the request may have committed).
    if (q.id !== null) expect(byKey.get(key)).toEqual([q.id]);
    else expect((byKey.get(key) ?? []).length).toBeLessThanOrEqual(1);
  }
  // Retrying an unanswered request with its key after the restart returns the command it made, if it did.
  for (const [key, q] of queued) {
    if (q.id !== null) continue;
    const made = byKey.get(key)?.[0];
    await queue(q.deviceId, key);
    const retried = queued.get(key)?.id;
    expect(retried).toBeTruthy();
    if (made) expect(retried).toBe(made);
  }
}

/** Every command queued is acknowledged (succeeded) and was received by its handset exactly once. */
async function allSettled(): Promise<boolean> {
  const rows = await db.query<{ id: string; state: string }>(
    'select id, state from device_mgmt.device_commands',
  );
  if (rows.rows.some((r) => r.state !== 'succeeded')) return false;
  const received = new Set(ledgers.flatMap((l) => [...l.received.keys()]));
  await sleep(0);
  return rows.rows.every((r) => received.has(r.id));
}
