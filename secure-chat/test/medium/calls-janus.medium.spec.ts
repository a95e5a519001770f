import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InProcessEventBus, newEvent, platformDomain, type DomainEvent } from '@pakawaaz/platform';
import { createTestDatabase, requireServices, testLogger, type TestDatabase } from '@pakawaaz/test-support';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLS_ERROR_STATUS } from '../../src/calls/calls.errors.js';
import { calls as callsTable, mediaHosts } from '../../src/calls/calls.schema.js';
import type { CallsSecrets } from '../../src/calls/media-hosts/calls-secrets.js';
import { findJanus, type RunningJanus } from '../../src/calls/media-hosts/embedded-janus.js';
import type { HostHealthService } from '../../src/calls/media-hosts/host-health.service.js';
import { JanusAdmin } from '../../src/calls/media-hosts/janus-admin.js';
import type { MediaHostsRepository } from '../../src/calls/media-hosts/media-hosts.repository.js';
import type { MediaHostsService } from '../../src/calls/media-hosts/media-hosts.service.js';
import { CallKicksListener } from '../../src/calls/rooms/call-kicks.listener.js';
import type { CallRoomsService } from '../../src/calls/rooms/call-rooms.service.js';
import { CallsRepository } from '../../src/calls/rooms/calls.repository.js';
import type { CallsService } from '../../src/calls/rooms/calls.service.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import {
  codeOf,
  device as deviceOf,
  groupOf,
  mediaAdmin,
  startJanus,
  until,
  wireCalls,
} from '../support/calls-fixture.js';
import { JanusClient } from '../support/janus-ws.js';

const janusBinary = await findJanus('janus');
if (!janusBinary && requireServices())
  throw new Error('janus is not installed (apt-get install janus) and PAKAWAAZ_REQUIRE_SERVICES is set');

const INST = randomUUID();
const device = () => deviceOf(INST);
const ctx = { principal: mediaAdmin, requestId: null };

/*
 * The calls control plane against real Janus processes (Debian's `janus`, started with the embedded
 * driver's generated configuration on loopback) and the database the environment gives: media hosts
 * registered with their admin API checked, E2EE rooms Janus itself lists, join tokens Janus enforces on a
 * participant's WebSocket, kicks, and a killed Janus marked down with new calls placed elsewhere.
 */
describe.skipIf(!janusBinary)('calls on a real Janus', () => {
  let dir: string;
  let db: TestDatabase;
  let a: RunningJanus;
  let b: RunningJanus;
  let secrets: CallsSecrets;
  let repo: MediaHostsRepository;
  let hosts: MediaHostsService;
  let health: HostHealthService;
  let calls: CallsService;
  let callRooms: CallRoomsService;
  let published: DomainEvent[];
  const clients: JanusClient[] = [];
  const groupId = 'Z3JvdXAtb25l';
  const alice = device();
  const bilal = device();
  const carol = device();
  const outsider = device();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-calls-'));
    [a, b] = await Promise.all([
      startJanus(janusBinary!, path.join(dir, 'janus-a')),
      startJanus(janusBinary!, path.join(dir, 'janus-b')),
    ]);
    db = await createTestDatabase([platformDomain, secureChatDomain]);
    const w = await wireCalls(db, dir, { maxParticipants: 10, maxStartedPerDevice: 5, idleMs: 60_000 });
    ({ published, secrets, repo, hosts, health, calls, rooms: callRooms } = w);
    await groupOf(w.delivery, groupId, [alice, bilal, carol]);
  }, 90_000);

  afterAll(async () => {
    health?.onModuleDestroy();
    for (const c of clients) c.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('registers a Janus only when its admin API answers, and stores its secret sealed', async () => {
    const bad = {
      name: 'janus-a',
      wsUrl: a.wsUrl,
      adminUrl: a.adminUrl,
      adminSecret: 'x'.repeat(32),
      capacity: 5,
    };
    expect(await codeOf(hosts.add(bad, ctx))).toBe('media_host_unreachable');
    const added = await hosts.add({ ...bad, adminSecret: a.adminSecret }, ctx);
    expect(added).toMatchObject({ name: 'janus-a', health: 'unknown', rooms: 0, capacity: 5 });
    expect(await codeOf(hosts.add({ ...bad, adminSecret: a.adminSecret }, ctx))).toBe('media_host_exists');
    const [row] = await db.handle.db.select().from(mediaHosts);
    expect(row!.adminSecretSealed).not.toContain(a.adminSecret);
    expect(await secrets.open(row!.adminSecretSealed)).toBe(a.adminSecret);

    await health.probeAll();
    const { hosts: listed } = await hosts.list(ctx);
    expect(listed[0]).toMatchObject({ name: 'janus-a', health: 'up', janusVersion: '1.1.2' });
    expect(published.map((e) => e.data)).toContainEqual(
      expect.objectContaining({ name: 'janus-a', health: 'up' }),
    );
  });

  it('starts a call as an E2EE VideoRoom that Janus lists, for member devices only', async () => {
    expect(await codeOf(calls.start(outsider, groupId))).toBe('call_not_found');
    const join = await calls.start(alice, groupId);
    expect(join.janus.url).toBe(a.wsUrl);
    const rooms = await new JanusAdmin(a.adminUrl, a.adminSecret).rooms();
    // require_pvtid: subscribing takes a joined publisher's private id (Janus checks tokens for publishers only),
    // and a kick tears down the kicked participant's subscriptions.
    expect(rooms).toContainEqual({
      room: join.janus.room,
      description: `call ${join.callId}`,
      requireE2ee: true,
      requirePvtid: true,
      participants: 0,
    });
    // The room has a secret of its own: the host's admin secret does not change it.
    const asAdmin = new JanusAdmin(a.adminUrl, a.adminSecret);
    await expect(asAdmin.kick(join.janus.room, a.adminSecret, 1)).rejects.toMatchObject({ code: 433 });
    await expect(asAdmin.allow(join.janus.room, a.adminSecret, 'add', ['x'])).rejects.toMatchObject({
      code: 433,
    });
    expect(await codeOf(calls.start(bilal, groupId))).toBe('call_in_progress');
    expect(await codeOf(calls.join(outsider, join.callId))).toBe('call_not_found');
  });

  it('admits a participant to the room with its own token only, and kicks a device taken out of chat', async () => {
    const live = (await calls.get(alice, (await liveCallId())!)).callId;
    const joinA = await calls.join(alice, live);
    const joinB = await calls.join(bilal, live);
    expect(joinB.janus.token).not.toBe(joinA.janus.token);

    const intruder = await JanusClient.connect(joinA.janus.url);
    clients.push(intruder);
    expect(await intruder.join(joinA.janus.room, 4242, undefined)).toMatchObject({ error_code: 433 });
    expect(await intruder.join(joinA.janus.room, 4243, 'guessed-token')).toMatchObject({ error_code: 433 });

    const pa = await JanusClient.connect(joinA.janus.url);
    const pb = await JanusClient.connect(joinB.janus.url);
    clients.push(pa, pb);
    expect(await pa.join(joinA.janus.room, joinA.janus.participantId, joinA.janus.token)).toMatchObject({
      videoroom: 'joined',
    });
    expect(await pb.join(joinB.janus.room, joinB.janus.participantId, joinB.janus.token)).toMatchObject({
      videoroom: 'joined',
    });

    // The same token under an id the server never issued (Janus does not bind the two): kicked as well.
    const rogue = await JanusClient.connect(joinB.janus.url);
    clients.push(rogue);
    expect(await rogue.join(joinB.janus.room, 777, joinB.janus.token)).toMatchObject({ videoroom: 'joined' });

    expect(await callRooms.kickDevice(bilal.deviceId)).toBe(1);
    expect(await pb.waitForEvent((d) => d['leaving'] === 'ok' || d['reason'] === 'kicked')).toBe(true);
    expect(await rogue.waitForEvent((d) => d['leaving'] === 'ok' || d['reason'] === 'kicked')).toBe(true);
    const admin = new JanusAdmin(a.adminUrl, a.adminSecret);
    expect((await admin.participants(joinA.janus.room)).map((p) => p.id)).toEqual([
      joinA.janus.participantId,
    ]);
    const again = await JanusClient.connect(joinB.janus.url);
    clients.push(again);
    expect(await again.join(joinB.janus.room, joinB.janus.participantId, joinB.janus.token)).toMatchObject({
      error_code: 433,
    });
    const view = await calls.get(alice, live);
    expect(view.participants).toContainEqual({
      deviceId: bilal.deviceId,
      userId: bilal.userId,
      participantId: joinB.janus.participantId,
      state: 'removed',
    });
  });

  it('kicks a device from its call when device management revokes its certificates (the event)', async () => {
    const bus = new InProcessEventBus(testLogger, { retryBaseMs: 10 });
    const listener = new CallKicksListener(bus, callRooms);
    await listener.onApplicationBootstrap();
    try {
      const id = (await liveCallId())!;
      // Kicked from a call is out of it for good (the kick test's device).
      expect(await codeOf(calls.join(bilal, id))).toBe('call_not_found');
      const join = await calls.join(carol, id);
      const pb = await JanusClient.connect(join.janus.url);
      clients.push(pb);
      expect(await pb.join(join.janus.room, join.janus.participantId, join.janus.token)).toMatchObject({
        videoroom: 'joined',
      });
      const revoked = (reason: string) =>
        bus.publish(
          newEvent('device-mgmt.device.certificates-revoked', 'device-mgmt', {
            deviceId: carol.deviceId,
            reason,
          }),
        );
      const stateOfCarol = async () =>
        (await calls.get(alice, id)).participants.find((p) => p.deviceId === carol.deviceId)?.state;
      // A renewal replaces the certificate of a device in service: it stays in the call.
      await revoked('superseded');
      await new Promise((r) => setTimeout(r, 300));
      expect(await stateOfCarol()).toBe('joined');
      await revoked('wiped');
      await until(async () => (await stateOfCarol()) === 'removed', 10_000);
      expect(await pb.waitForEvent((d) => d['leaving'] === 'ok' || d['reason'] === 'kicked')).toBe(true);
    } finally {
      await listener.onModuleDestroy();
      await bus.close();
    }
  });

  it("ends a call at the starter's word: the room is destroyed", async () => {
    const id = (await liveCallId())!;
    expect(await codeOf(calls.end(bilal, id))).toBe('not_call_starter');
    const room = (await calls.join(alice, id)).janus.room;
    const ended = await calls.end(alice, id);
    expect(ended).toMatchObject({ state: 'ended', endReason: 'ended_by_starter' });
    const rooms = await new JanusAdmin(a.adminUrl, a.adminSecret).rooms();
    expect(rooms.map((r) => r.room)).not.toContain(room);
    expect(await codeOf(calls.join(alice, id))).toBe('call_ended');
  });

  it('marks a killed Janus down within seconds; its calls end and new calls go elsewhere', async () => {
    await hosts.add(
      { name: 'janus-b', wsUrl: b.wsUrl, adminUrl: b.adminUrl, adminSecret: b.adminSecret, capacity: 5 },
      ctx,
    );
    await health.probeAll();
    const onA = await calls.start(alice, groupId);
    expect(onA.janus.url).toBe(a.wsUrl);

    health.onApplicationBootstrap();
    process.kill(a.pid, 'SIGKILL');
    // The event is the probe's last step (after the health is stored and the host's calls ended).
    const downEvent = () =>
      published.some((e) => {
        const d = e.data as { name?: string; health?: string };
        return d.name === 'janus-a' && d.health === 'down';
      });
    await until(() => Promise.resolve(downEvent()), 15_000);
    expect(await repo.find('janus-a')).toMatchObject({ health: 'down' });
    expect(published.map((e) => e.data)).toContainEqual(
      expect.objectContaining({ name: 'janus-a', health: 'down' }),
    );
    expect(await calls.get(alice, onA.callId)).toMatchObject({
      state: 'ended',
      endReason: 'media_host_down',
    });

    const onB = await calls.start(alice, groupId);
    expect(onB.janus.url).toBe(b.wsUrl);
    await calls.end(alice, onB.callId);

    // Janus gone before any probe saw it: the room cannot be created, the call is not left live.
    health.onModuleDestroy();
    await b.stop();
    expect((await repo.find('janus-b'))?.health).toBe('up');
    expect(await codeOf(calls.start(alice, groupId))).toBe('calls_unavailable');
    expect(await liveCallId()).toBeUndefined();
    const [failed] = await db.handle.db
      .select()
      .from(callsTable)
      .where(eq(callsTable.endReason, 'room_not_created'));
    expect(failed).toMatchObject({ state: 'ended', hostId: (await repo.find('janus-b'))!.id });

    await health.probeAll();
    await health.probeAll();
    expect((await repo.find('janus-b'))?.health).toBe('down');
    expect(await codeOf(calls.start(alice, groupId))).toBe('calls_unavailable');
    expect(CALLS_ERROR_STATUS.calls_unavailable).toBe(503);
  });

  async function liveCallId(): Promise<string | undefined> {
    return (await new CallsRepository(db.handle).liveCallOfGroup(groupId))?.id;
  }
});
