import { randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type Socket } from 'node:net';
import path from 'node:path';
import { platformDomain } from '@pakawaaz/platform';
import { createTestDatabase, requireServices, type TestDatabase } from '@pakawaaz/test-support';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callParticipants, calls as callsTable, mediaHosts } from '../../src/calls/calls.schema.js';
import { findJanus, type RunningJanus } from '../../src/calls/media-hosts/embedded-janus.js';
import { JanusAdmin } from '../../src/calls/media-hosts/janus-admin.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import {
  codeOf,
  device as deviceOf,
  groupOf,
  mediaAdmin,
  startJanus,
  wireCalls,
} from '../support/calls-fixture.js';
import { JanusClient } from '../support/janus-ws.js';

const janusBinary = await findJanus('janus');
if (!janusBinary && requireServices())
  throw new Error('janus is not installed (apt-get install janus) and PAKAWAAZ_REQUIRE_SERVICES is set');

const INST = randomUUID();
const device = () => deviceOf(INST);
const IDLE_MS = 60_000;

/*
 * The calls control plane's defences against a device holding capacity, lost kicks and leftover rooms, on a
 * real Janus: the per-device cap on started calls, the idle reaper, a kick that empties a call ending it,
 * the operator's end, kicks confirmed by Janus before they are recorded (and the rest of a kick going on when
 * one host fails), devices a commit dropped kicked from the group's call, removed devices refused at join,
 * and rooms without a live call swept from a host.
 */
describe.skipIf(!janusBinary)('calls hardening on a real Janus', () => {
  let dir: string;
  let db: TestDatabase;
  let janus: RunningJanus;
  let admin: JanusAdmin;
  let w: Awaited<ReturnType<typeof wireCalls>>;
  const clients: JanusClient[] = [];
  const alice = device();
  const bilal = device();
  const [g1, g2, g3] = ['Z3JvdXAtMQ', 'Z3JvdXAtMg', 'Z3JvdXAtMw'];
  const ctx = { principal: mediaAdmin, requestId: null };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-calls-h-'));
    // Left from an earlier run with loose modes: tightened at start (the files hold the admin secret).
    await mkdir(path.join(dir, 'janus'), { mode: 0o755 });
    await chmod(path.join(dir, 'janus'), 0o755);
    await writeFile(path.join(dir, 'janus', 'janus.jcfg'), 'old', { mode: 0o644 });
    janus = await startJanus(janusBinary!, path.join(dir, 'janus'));
    admin = new JanusAdmin(janus.adminUrl, janus.adminSecret);
    db = await createTestDatabase([platformDomain, secureChatDomain]);
    w = await wireCalls(db, dir, { maxParticipants: 10, maxStartedPerDevice: 1, idleMs: IDLE_MS });
    for (const g of [g1, g2, g3]) await groupOf(w.delivery, g, [alice, bilal]);
    const host = { wsUrl: janus.wsUrl, adminUrl: janus.adminUrl, adminSecret: janus.adminSecret };
    await w.hosts.add({ name: 'janus', ...host, capacity: 10 }, ctx);
    await w.health.probeAll();
  }, 90_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await janus?.stop();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it("tightens the Janus configuration folder's and files' modes at every start", async () => {
    expect((await stat(path.join(dir, 'janus'))).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(dir, 'janus', 'janus.jcfg'))).mode & 0o777).toBe(0o600);
  });

  const roomsInJanus = async () => (await admin.rooms()).map((r) => r.room);
  const callRow = async (id: string) =>
    (await db.handle.db.select().from(callsTable).where(eq(callsTable.id, id)))[0];

  it('caps the live calls one device starts, and ends a call nobody is in after the idle time', async () => {
    const first = await w.calls.start(alice, g1);
    expect(await codeOf(w.calls.start(alice, g2))).toBe('call_limit_reached');
    // Nobody joined in Janus: the first round notes it, a round the idle time later ends the call.
    const now = Date.now() + IDLE_MS;
    expect(await w.reaper.reapIdle(now)).toEqual([]);
    expect(await w.reaper.reapIdle(now + IDLE_MS)).toEqual([first.callId]);
    expect(await callRow(first.callId)).toMatchObject({ state: 'ended', endReason: 'nobody_joined' });
    expect(await roomsInJanus()).not.toContain(first.janus.room);
    // The slot is free again.
    const second = await w.calls.start(alice, g2);
    await w.calls.end(alice, second.callId);
  });

  it('keeps a call someone is in, ends the call a kick leaves empty, and lets an operator end one', async () => {
    const join = await w.calls.start(bilal, g1);
    const pb = await JanusClient.connect(join.janus.url);
    clients.push(pb);
    expect(await pb.join(join.janus.room, join.janus.participantId, join.janus.token)).toMatchObject({
      videoroom: 'joined',
    });
    const now = Date.now() + IDLE_MS;
    await w.reaper.reapIdle(now);
    expect(await w.reaper.reapIdle(now + IDLE_MS)).toEqual([]);

    expect(await w.rooms.kickDevice(bilal.deviceId)).toBe(1);
    expect(await callRow(join.callId)).toMatchObject({ state: 'ended', endReason: 'everyone_removed' });
    expect(await roomsInJanus()).not.toContain(join.janus.room);

    const other = await w.calls.start(alice, g3);
    const viewer = { ...mediaAdmin, roles: ['viewer' as const] };
    expect(await codeOf(w.rooms.endByOperator(other.callId, { principal: viewer, requestId: null }))).toBe(
      'forbidden',
    );
    expect(await w.rooms.endByOperator(other.callId, ctx)).toEqual({ callId: other.callId, state: 'ended' });
    expect(await callRow(other.callId)).toMatchObject({ state: 'ended', endReason: 'ended_by_operator' });
    expect(await roomsInJanus()).not.toContain(other.janus.room);
  });

  it('records a kick only once Janus confirmed it, and goes on with the rest when one host fails', async () => {
    const join = await w.calls.start(alice, g1);
    await w.calls.join(bilal, join.callId);
    // A second call of bilal's on a host that does not answer.
    const deadHost = randomUUID();
    const deadCall = randomUUID();
    const sealed = await w.secrets.seal('x'.repeat(32));
    await db.handle.db.insert(mediaHosts).values({
      id: deadHost,
      name: 'dead',
      wsUrl: 'ws://127.0.0.1:1',
      adminUrl: 'http://127.0.0.1:1/admin',
      adminSecretSealed: sealed,
      capacity: 1,
      enabled: false,
    });
    await db.handle.db.insert(callsTable).values({
      id: deadCall,
      groupId: g2,
      hostId: deadHost,
      roomId: 5,
      startedByDevice: alice.deviceId,
      startedByUser: alice.userId,
      state: 'live',
      startedAt: new Date(),
    });
    const [p] = await db.handle.db
      .insert(callParticipants)
      .values({
        callId: deadCall,
        deviceId: bilal.deviceId,
        userId: bilal.userId,
        participantId: 9,
        state: 'joined',
        joinedAt: new Date(),
      })
      .returning();
    expect(p).toBeDefined();

    await expect(w.rooms.kickDevice(bilal.deviceId)).rejects.toThrow(/1 of 2 call kicks not confirmed/);
    const stateIn = async (callId: string) =>
      (
        await db.handle.db
          .select()
          .from(callParticipants)
          .where(and(eq(callParticipants.callId, callId), eq(callParticipants.deviceId, bilal.deviceId)))
      )[0]?.state;
    expect(await stateIn(join.callId)).toBe('removed');
    // Not confirmed by Janus: still joined, so the redelivered event kicks it again.
    expect(await stateIn(deadCall)).toBe('joined');
    await db.handle.db.update(callsTable).set({ state: 'ended' }).where(eq(callsTable.id, deadCall));
    await w.calls.end(alice, join.callId);
  });

  it("kicks a device a commit dropped from a group out of that group's call only", async () => {
    const c1 = await w.calls.start(alice, g1);
    await w.calls.join(bilal, c1.callId);
    const c2 = await w.calls.start(bilal, g2);
    await w.calls.join(alice, c2.callId);
    const stateOf = async (callId: string, deviceId: string) =>
      (
        await db.handle.db
          .select()
          .from(callParticipants)
          .where(and(eq(callParticipants.callId, callId), eq(callParticipants.deviceId, deviceId)))
      )[0]?.state;
    // Alice's commit removed Bilal's device from g1 (GroupMembersDropped): out of g1's call, not of g2's.
    expect(await w.rooms.kickFromGroup(g1, [bilal.deviceId])).toBe(1);
    expect(await stateOf(c1.callId, bilal.deviceId)).toBe('removed');
    expect(await stateOf(c2.callId, bilal.deviceId)).toBe('joined');
    expect(await callRow(c1.callId)).toMatchObject({ state: 'live' });
    // Redelivered: nothing left to kick.
    expect(await w.rooms.kickFromGroup(g1, [bilal.deviceId])).toBe(0);
    await w.calls.end(alice, c1.callId);
    await w.calls.end(bilal, c2.callId);
  });

  it('refuses a device taken out of chat at join, under the call lock', async () => {
    const join = await w.calls.start(alice, g3);
    const carol = device();
    await db.handle.db.transaction(async (tx) => {
      await w.delivery.replaceMembers(
        g3,
        [alice, bilal, carol].map((d, leafIndex) => ({ leafIndex, deviceId: d.deviceId, userId: d.userId })),
        tx,
      );
      await w.removals.record(carol.deviceId, carol.userId, 'wiped', tx);
    });
    expect(await codeOf(w.calls.join(carol, join.callId))).toBe('call_not_found');
    await w.calls.end(alice, join.callId);
  });

  it('sweeps rooms without a live call from a host when it comes back up, and at each reaper round', async () => {
    const live = await w.calls.start(alice, g1);
    // One of a call ended while the host was away (its own room secret), one from before room secrets.
    const gone = randomUUID();
    await admin.createRoom(4711, await w.secrets.roomSecret(gone), 2, `call ${gone}`);
    await admin.createRoom(4713, janus.adminSecret, 2, 'left behind');
    await db.handle.db
      .update(mediaHosts)
      .set({ health: 'down', failures: 2 })
      .where(eq(mediaHosts.name, 'janus'));
    await w.health.probeAll();
    expect(await roomsInJanus()).not.toContain(4711);
    expect(await roomsInJanus()).not.toContain(4713);
    expect(await roomsInJanus()).toContain(live.janus.room);

    await admin.createRoom(4712, await w.secrets.roomSecret(gone), 2, `call ${gone}`);
    await w.reaper.round(Date.now());
    expect(await roomsInJanus()).not.toContain(4712);
    expect(await roomsInJanus()).toContain(live.janus.room);
    await w.calls.end(alice, live.callId);
  });

  it('reserves under the placement lock but asks Janus outside it: a hung host holds up no other start', async () => {
    // Accepts connections and never answers (a hung Janus); placed first (more free rooms), then on a tie the
    // real one goes first by name.
    const sockets = new Set<Socket>();
    const hung = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    try {
      const port = (hung.address() as { port: number }).port;
      await db.handle.db.insert(mediaHosts).values({
        id: randomUUID(),
        name: 'zz-hung',
        wsUrl: `ws://127.0.0.1:${port}`,
        adminUrl: `http://127.0.0.1:${port}/admin`,
        adminSecretSealed: await w.secrets.seal('y'.repeat(32)),
        capacity: 11,
        health: 'up',
      });
      let settled = false;
      const onHung = w.calls.start(alice, g1).finally(() => (settled = true));
      const reserved = async () =>
        (await db.handle.db.select().from(callsTable).where(eq(callsTable.groupId, g1))).some(
          (c) => c.state === 'live',
        );
      while (!(await reserved())) await new Promise((r) => setTimeout(r, 20));
      const other = await w.calls.start(bilal, g2);
      expect(other.janus.url).toBe(janus.wsUrl);
      expect(settled).toBe(false);
      expect(await codeOf(onHung)).toBe('calls_unavailable');
      // The reserved call is not left live: it ended because Janus made no room.
      const ofG1 = await db.handle.db.select().from(callsTable).where(eq(callsTable.groupId, g1));
      expect(ofG1.filter((c) => c.state === 'live')).toEqual([]);
      expect(ofG1.map((c) => c.endReason)).toContain('room_not_created');
      await w.calls.end(bilal, other.callId);
    } finally {
      await db.handle.db.update(mediaHosts).set({ enabled: false }).where(eq(mediaHosts.name, 'zz-hung'));
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => hung.close(r));
    }
  });
});
