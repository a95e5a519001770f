import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadOrCreateLabRoot, SimulatedHandset } from '@pakawaaz/handset-simulator';
import { requireServices, testDatabaseUrl, withDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient } from '../../src/chat/chat-client.js';
import type { CallSignal } from '../../src/chat/chat-calls.js';
import * as api from '../../src/server-process/control-plane-api.js';
import * as proc from '../../src/server-process/server-process.js';

const { unwrap } = api;

const JANUS = '/usr/bin/janus';
if (!existsSync(JANUS) && requireServices())
  throw new Error('janus is not installed (apt-get install janus) and PAKAWAAZ_REQUIRE_SERVICES is set');

/*
 * Calls through the client SDK against the built server (embedded Janus, PostgreSQL), on enrolled lab
 * handsets over mutual TLS: Aisha calls Bilal (two handsets) in their 1:1 chat, both ring, the phone answers,
 * the tablet is told it was answered elsewhere, both hang up; the NOC's call records show it with names.
 */
const PASSWORD = 'saffron-harbour-kettle-41';
const DB = `pakawaaz_calls_e2e_${process.pid}`;

describe.skipIf(!existsSync(JANUS))('calls through the client SDK', () => {
  let server: proc.ServerProcess;
  let admin: api.ControlPlaneApi;
  let dir: string;
  const clients: Record<string, ChatClient> = {};
  const userIds: Record<string, string> = {};
  const admin_ = () => new pg.Client({ connectionString: testDatabaseUrl() });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pkz-calls-sdk-'));
    const db = admin_();
    await db.connect();
    await db.query(`drop database if exists "${DB}" with (force)`);
    await db.query(`create database "${DB}"`);
    await db.end();
    const devicePort = await proc.freeTcpPort();
    const root = await loadOrCreateLabRoot(path.join(dir, 'lab'));
    server = await proc.startServerProcess({
      adminPassword: PASSWORD,
      env: {
        DATABASE_URL: withDatabase(testDatabaseUrl(), DB),
        PAKAWAAZ_DEVICE_PORT: String(devicePort),
        PAKAWAAZ_TRUST_LAB_ROOT: '1',
        PAKAWAAZ_LAB_ROOT_FILE: path.join(dir, 'lab', 'attestation-root.pem'),
        OPEN5GS_MONITOR: 'off',
        PAKAWAAZ_JANUS: 'auto',
        PAKAWAAZ_CALLS_RING_SECONDS: '30',
      },
    });
    admin = await api.signedIn(api.controlPlaneApi(server.url), 'admin', PASSWORD);
    const inst = await unwrap(admin.POST('/api/v1/institutions', { body: { name: 'Ministry of Railways' } }));
    for (const [username, displayName] of [
      ['aisha.calls', 'Aisha Malik'],
      ['bilal.calls', 'Bilal Khan'],
    ] as const)
      userIds[username] = (
        await unwrap(
          admin.POST('/api/v1/users', {
            body: { username, displayName, kind: 'official', institution: inst.id, password: PASSWORD },
          }),
        )
      ).id;
    const deviceUrl = `https://127.0.0.1:${devicePort}`;
    for (const [name, official] of [
      ['aisha', 'aisha.calls'],
      ['bilal-phone', 'bilal.calls'],
      ['bilal-tablet', 'bilal.calls'],
    ] as const) {
      const { token } = await unwrap(admin.POST('/api/v1/enrolment-tokens', { body: { official } }));
      const handset = new SimulatedHandset({ apiUrl: server.url, deviceUrl, root });
      await handset.enrol(token);
      const s = handset.saved()!;
      const tls = { certPem: s.enrolment.certificatePem, keyPem: s.keyPem, caPems: s.enrolment.caPems };
      const chat = await ChatClient.open({ baseUrl: deviceUrl, tls });
      await chat.uploadKeyPackages(3);
      await chat.start();
      clients[name] = chat;
    }
  }, 240_000);

  afterAll(async () => {
    for (const c of Object.values(clients)) await c.close().catch(() => undefined);
    await server?.stop();
    const db = admin_();
    await db.connect();
    await db.query(`drop database if exists "${DB}" with (force)`);
    await db.end();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('Aisha calls Bilal: both handsets ring, the phone answers, the tablet stops; hang-up ends the call', async () => {
    const { aisha, 'bilal-phone': phone, 'bilal-tablet': tablet } = clients;
    const groupId = await aisha!.createGroup();
    await aisha!.addMembers(groupId, [userIds['bilal.calls']!]);
    const placed = await aisha!.calls.place(groupId, 'video');
    expect(placed.outcome).toBeNull();
    const callId = placed.join.callId;
    const rings = await Promise.all([phone!, tablet!].map((c) => c.calls.next('call-ring', callId)));
    for (const r of rings)
      expect(r).toMatchObject<Partial<CallSignal>>({
        kind: 'video',
        by: expect.objectContaining({ userId: userIds['aisha.calls'] }) as never,
      });
    const join = await phone!.calls.accept(callId);
    expect(join.janus.room).toBe(placed.join.janus.room);
    await tablet!.calls.next('call-answered-elsewhere', callId);
    await aisha!.calls.next('call-accepted', callId);
    await aisha!.calls.hangUp(callId);
    await phone!.calls.next('call-left', callId);
    await phone!.calls.hangUp(callId);
    expect(await tablet!.calls.next('call-ended', callId)).toMatchObject({ reason: 'everyone_left' });

    const history = await unwrap(admin.GET('/api/v1/calls/history', { params: { query: { limit: 10 } } }));
    const record = history.calls.find((c) => c.callId === callId)!;
    expect(record).toMatchObject({
      outcome: 'answered',
      kind: 'video',
      participants: 2,
      rang: 2,
      mediaHost: 'embedded',
    });
    expect(record.caller).toMatchObject({ username: 'aisha.calls', displayName: 'Aisha Malik' });
    expect(record.people.map((p) => p.displayName).sort()).toEqual(['Aisha Malik', 'Bilal Khan']);
    expect(record.durationSeconds).toBeGreaterThanOrEqual(0);
  });

  it('a declined call ends as declined; the caller is told', async () => {
    const { aisha, 'bilal-tablet': tablet } = clients;
    const groupId = (await unwrap(admin.GET('/api/v1/calls/history', { params: { query: { limit: 1 } } })))
      .calls[0]!.groupId;
    const { join } = await aisha!.calls.place(groupId, 'voice');
    await tablet!.calls.next('call-ring', join.callId);
    expect(await tablet!.calls.decline(join.callId)).toMatchObject({ outcome: 'declined' });
    await aisha!.calls.next('call-declined', join.callId);
    expect(await aisha!.calls.next('call-ended', join.callId)).toMatchObject({ reason: 'declined' });
  });
});
