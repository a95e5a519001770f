import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ClientCertificates, platformDomain, sql } from '@pakawaaz/platform';
import { createTestDatabase, requireServices, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_SIGNALLING } from '../../src/chat-ports.js';
import { CallHistoryRepository } from '../../src/calls/history/call-history.repository.js';
import { CallHistoryService } from '../../src/calls/history/call-history.service.js';
import { CallRingsRepository } from '../../src/calls/signalling/call-rings.repository.js';
import type { CallsLimits } from '../support/calls-fixture.js';
import { findJanus, type RunningJanus } from '../../src/calls/media-hosts/embedded-janus.js';
import type { DeliveryService } from '../../src/delivery/delivery.service.js';
import type { GroupsService } from '../../src/groups/groups.service.js';
import { loadBotsConfig } from '../../src/bots/bots.config.js';
import type { SecureChatConfig } from '../../src/secure-chat.config.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { ChatFlood } from '../../src/ws/chat-flood.js';
import { ChatHub } from '../../src/ws/chat-hub.js';
import { ChatSocketServer } from '../../src/ws/chat-socket.server.js';
import { groupOf, mediaAdmin, startJanus, wireCalls } from '../support/calls-fixture.js';
import { listenChatSocket, type SocketProbe } from '../support/chat-socket-harness.js';
import { testCa, TestDevice, TestDeviceAuthenticator } from '../support/mls-devices.js';

const janusBinary = await findJanus('janus');
if (!janusBinary && requireServices())
  throw new Error('janus is not installed (apt-get install janus) and PAKAWAAZ_REQUIRE_SERVICES is set');

const INST = randomUUID();
const config = {
  wsMaxFrameBytes: 64 * 1024,
  wsFramesPerSecond: 50,
  wsBytesPerSecond: 4 * 1024 * 1024,
  wsPingSeconds: 30,
  claimsPerSecond: 50,
  bots: loadBotsConfig({}),
} as SecureChatConfig;

/*
 * Call signalling over real chat WebSockets (mutual TLS), PostgreSQL and a real Janus: A calls B (two devices),
 * both ring, one answers and the other is told it was answered elsewhere; decline, missed on timeout, busy,
 * an offline callee pushed and rung on connecting, malformed frames, non-members, a Janus killed mid-call.
 */
describe.skipIf(!janusBinary)('call signalling over the chat socket', () => {
  let dir: string;
  let db: TestDatabase;
  let janus: RunningJanus;
  let w: Awaited<ReturnType<typeof wireCalls>>;
  let listener: Awaited<ReturnType<typeof listenChatSocket>>;
  const limits: CallsLimits = { maxParticipants: 10, maxStartedPerDevice: 5, idleMs: 60_000, ringMs: 20_000 };
  const pushed: string[] = [];
  const users = { a: randomUUID(), b: randomUUID(), c: randomUUID() };
  const ab = 'Z3JvdXAtYWI';
  const bc = 'Z3JvdXAtYmM';
  let a1: TestDevice, a2: TestDevice, b1: TestDevice, b2: TestDevice, c1: TestDevice;
  let A1: SocketProbe, A2: SocketProbe, B1: SocketProbe, B2: SocketProbe, C1: SocketProbe;
  let ca: Awaited<ReturnType<typeof testCa>>;
  let rings: CallRingsRepository;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-signalling-'));
    janus = await startJanus(janusBinary!, path.join(dir, 'janus'));
    db = await createTestDatabase([platformDomain, secureChatDomain]);
    const hub = new ChatHub({ notify: (ids) => Promise.resolve(void pushed.push(...ids)) });
    w = await wireCalls(db, dir, limits, hub);
    await w.hosts.add(
      {
        name: 'janus',
        wsUrl: janus.wsUrl,
        adminUrl: janus.adminUrl,
        adminSecret: janus.adminSecret,
        capacity: 20,
      },
      { principal: mediaAdmin, requestId: null },
    );
    await w.health.probeAll();
    ca = await testCa();
    rings = new CallRingsRepository(db.handle);
    const dev = (userId: string) =>
      TestDevice.create(ca, { deviceId: randomUUID(), userId, institutionId: INST });
    [a1, a2, b1, b2, c1] = await Promise.all([
      dev(users.a),
      dev(users.a),
      dev(users.b),
      dev(users.b),
      dev(users.c),
    ]);
    const auth = new TestDeviceAuthenticator();
    auth.add(a1, a2, b1, b2, c1);
    await groupOf(
      w.delivery,
      ab,
      [a1, a2, b1, b2].map((d) => d.principal),
    );
    await groupOf(
      w.delivery,
      bc,
      [b1, b2, c1].map((d) => d.principal),
    );
    const sockets = new ChatSocketServer(
      hub,
      {
        inbox: () => Promise.resolve([]),
        ack: () => Promise.resolve({ removed: 0 }),
      } as unknown as DeliveryService,
      {} as GroupsService,
      new ChatFlood(config),
      config,
      auth,
      new ClientCertificates({ trustedProxies: [], header: 'x-client-cert' }),
      undefined,
      { get: (token: unknown) => (token === CALL_SIGNALLING ? w.signalling : null) } as never,
    );
    listener = await listenChatSocket(ca, sockets);
    const probes = await Promise.all([a1, a2, b1, c1].map((d) => listener.connect(d)));
    [A1, A2, B1, C1] = probes as [SocketProbe, SocketProbe, SocketProbe, SocketProbe];
  }, 120_000);

  afterAll(async () => {
    w?.signalling?.onModuleDestroy();
    w?.health.onModuleDestroy();
    await listener?.close();
    await janus?.stop();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const ring = async (from: SocketProbe, device: TestDevice, groupId = ab, kind = 'video') => {
    const { callId } = await w.calls.start(device.principal, groupId);
    from.send({ type: 'call-invite', id: `inv-${callId}`, callId, kind });
    const reply = await from.take((f) => f['id'] === `inv-${callId}`);
    return { callId, reply };
  };
  const ended = (p: SocketProbe, callId: string) => p.next('call-ended', callId);

  it('rings B on both devices (B2 offline: pushed, rung when it connects); B1 answers, B2 is told it was answered elsewhere; the record has the answer and the end', async () => {
    const { callId, reply } = await ring(A1, a1);
    expect(reply).toMatchObject({ type: 'result', result: { callId, outcome: null } });
    const rung = await B1.next('call-ring', callId);
    expect(rung).toMatchObject({
      groupId: ab,
      kind: 'video',
      by: { deviceId: a1.deviceId, userId: users.a },
    });
    expect(Date.parse(rung['ringUntil'] as string)).toBeGreaterThan(Date.now());
    await A2.next('call-ring', callId); // the caller's other device shows the outgoing call
    expect(pushed).toContain(b2.deviceId);
    B2 = await listener.connect(b2);
    await B2.next('call-ring', callId);

    B1.send({ type: 'call-accept', id: 'acc', callId });
    const joined = await B1.take((f) => f['id'] === 'acc');
    expect(joined).toMatchObject({ type: 'result', result: { callId, janus: { url: janus.wsUrl } } });
    expect(await B2.next('call-answered-elsewhere', callId)).toMatchObject({ by: { deviceId: b1.deviceId } });
    await A1.next('call-accepted', callId);
    await A2.next('call-accepted', callId);

    A1.send({ type: 'call-hangup', id: 'h1', callId });
    expect(await B1.next('call-left', callId)).toMatchObject({ by: { deviceId: a1.deviceId } });
    B1.send({ type: 'call-hangup', id: 'h2', callId });
    expect(await ended(B2, callId)).toMatchObject({ reason: 'everyone_left', by: null });
    const row = (await w.callsRepo.call(callId))!;
    expect(row).toMatchObject({ outcome: 'answered', kind: 'video', state: 'ended', institutions: [INST] });
    expect(row.endedAt!.getTime()).toBeGreaterThanOrEqual(row.answeredAt!.getTime());
    expect(C1.got.filter((f) => f.type.startsWith('call-'))).toEqual([]); // not in the group
  });

  it('a decline by one of B’s devices stops the other and ends the call as declined', async () => {
    const { callId } = await ring(A1, a1, ab, 'voice');
    await B1.next('call-ring', callId);
    await B2.next('call-ring', callId);
    B2.send({ type: 'call-decline', id: 'd', callId });
    expect(await B2.take((f) => f['id'] === 'd')).toMatchObject({ result: { outcome: 'declined' } });
    await A1.next('call-declined', callId);
    await B1.next('call-declined', callId);
    expect(await ended(A1, callId)).toMatchObject({ reason: 'declined' });
    expect((await w.callsRepo.call(callId))!.outcome).toBe('declined');
    B1.send({ type: 'call-decline', id: 'd2', callId });
    expect(await B1.take((f) => f['id'] === 'd2')).toMatchObject({ type: 'error', code: 'call_not_ringing' });
  });

  it('nobody answering: missed after the ring time, told to the callees and the caller, recorded', async () => {
    limits.ringMs = 1500;
    const { callId } = await ring(A1, a1);
    await B1.next('call-ring', callId);
    await B1.next('call-missed', callId, 10_000);
    await A1.next('call-missed', callId);
    expect(await ended(B2, callId)).toMatchObject({ reason: 'missed' });
    expect((await w.callsRepo.call(callId))!.outcome).toBe('missed');
    limits.ringMs = 20_000;
  });

  it('a callee whose every device is in another call is busy: the caller is told at once, the call ends', async () => {
    const other = await w.calls.start(b1.principal, bc);
    await w.calls.join(b2.principal, other.callId);
    const { callId, reply } = await ring(A1, a1);
    expect(reply).toMatchObject({ result: { outcome: 'busy' } });
    expect(await A1.next('call-busy', callId)).toMatchObject({ by: { userId: users.b } });
    await ended(A1, callId);
    expect(B1.got.some((f) => f['callId'] === callId && f.type === 'call-ring')).toBe(false);
    await w.calls.leave(b1.principal, other.callId);
    await w.calls.leave(b2.principal, other.callId);
  });

  it('keeps call records: national operators see all, an institution only the calls involving it', async () => {
    const history = new CallHistoryService(new CallHistoryRepository(db.handle), {
      get: () => ({
        find: (ref: string) => Promise.resolve(ref === 'bilal' ? { userId: users.b } : null),
        byIds: (ids: string[]) =>
          Promise.resolve(
            new Map(ids.map((id) => [id, { userId: id, username: `u-${id.slice(0, 4)}`, displayName: 'X' }])),
          ),
      }),
    } as never);
    const all = await history.history({ limit: 50 }, mediaAdmin);
    const answered = all.calls.find((c) => c.outcome === 'answered')!;
    expect(answered).toMatchObject({
      kind: 'video',
      participants: 2,
      rang: 2,
      mediaHost: 'janus',
      state: 'ended',
    });
    expect(answered.durationSeconds).toBeGreaterThanOrEqual(0);
    expect(answered.caller).toEqual({
      userId: users.a,
      username: `u-${users.a.slice(0, 4)}`,
      displayName: 'X',
    });
    expect(all.calls.map((c) => c.outcome)).toEqual(
      expect.arrayContaining(['answered', 'declined', 'missed', 'busy']),
    );
    const of = (institutionIds: string[]) => ({
      ...mediaAdmin,
      roles: ['viewer' as const],
      scope: { kind: 'institution' as const, institutionIds },
    });
    expect((await history.history({ limit: 50 }, of([randomUUID()]))).calls).toEqual([]);
    expect((await history.history({ limit: 50 }, of([INST]))).calls).toHaveLength(all.calls.length);
    const page = await history.history({ limit: 2 }, mediaAdmin);
    const next = await history.history({ limit: 50, before: page.nextBefore! }, mediaAdmin);
    expect([...page.calls, ...next.calls].map((c) => c.callId)).toEqual(all.calls.map((c) => c.callId));
    const declined = await history.history({ limit: 50, outcome: 'declined', official: 'bilal' }, mediaAdmin);
    expect(declined.calls.map((c) => c.outcome)).toEqual(['declined']);
  });

  it('answers malformed frames with error frames and keeps the socket; refuses non-members', async () => {
    C1.send('not json');
    expect(await C1.next('error')).toMatchObject({ code: 'invalid_chat_input' });
    C1.send({ type: 'call-dance', id: 1 });
    const unknown = await C1.next('error');
    expect(unknown['id']).toBe(1);
    expect(unknown['message']).toContain('Unknown frame type "call-dance"');
    C1.send({ type: 'call-accept', id: 2, callId: 'x'.repeat(5000) });
    const invalid = await C1.next('error');
    expect(invalid['id']).toBe(2);
    expect(invalid['message']).toContain('Invalid call-accept frame: callId');
    C1.send({ type: 'call-invite', id: 3, callId: randomUUID(), kind: 'video', extra: 1 });
    expect(await C1.next('error')).toMatchObject({ id: 3, code: 'invalid_chat_input' });
    const { callId } = await ring(A1, a1);
    C1.send({ type: 'call-accept', id: 4, callId });
    expect(await C1.next('error')).toMatchObject({ id: 4, code: 'call_not_found' });
    C1.send({ type: 'call-cancel', id: 5, callId });
    expect(await C1.next('error')).toMatchObject({ id: 5, code: 'call_not_found' });
    B1.send({ type: 'call-cancel', id: 6, callId });
    expect(await B1.take((f) => f['id'] === 6)).toMatchObject({ code: 'not_call_starter' });
    A1.send({ type: 'call-cancel', id: 7, callId });
    await B1.next('call-cancelled', callId);
    await A2.next('call-cancelled', callId);
    expect(await ended(B1, callId)).toMatchObject({ reason: 'cancelled' });
    expect((await w.callsRepo.call(callId))!.outcome).toBe('cancelled');
    C1.send({ type: 'ack', upTo: 0, reply: true });
    expect(await C1.next('acked')).toMatchObject({ upTo: 0 }); // the socket lives on
  });

  it('a member device the call never rang finds it (live calls) and answering it answers the ring', async () => {
    const { callId } = await ring(A1, a1);
    await B1.next('call-ring', callId);
    // C joins the group while it rings (a commit added c1): nothing rang c1, and it may not see ab's calls before.
    await expect(w.calls.live(c1.principal, ab)).rejects.toMatchObject({ code: 'call_not_found' });
    const membersOf = (devices: TestDevice[]) =>
      devices.map((d, leafIndex) => ({ leafIndex, deviceId: d.deviceId, userId: d.principal.userId }));
    await w.delivery.db.transaction((tx) =>
      w.delivery.replaceMembers(ab, membersOf([a1, a2, b1, b2, c1]), tx),
    );
    const live = await w.calls.live(c1.principal, ab);
    expect(live.calls).toEqual([
      expect.objectContaining({ callId, groupId: ab, state: 'live', kind: 'video', outcome: null }),
    ]);
    // Without a group: every group's of the device (bc has no call now).
    expect((await w.calls.live(c1.principal)).calls.map((c) => c.callId)).toEqual([callId]);
    expect(C1.got.some((f) => f['callId'] === callId)).toBe(false);

    C1.send({ type: 'call-accept', id: 'late', callId });
    expect(await C1.take((f) => f['id'] === 'late')).toMatchObject({ type: 'result', result: { callId } });
    expect(await A1.next('call-accepted', callId)).toMatchObject({ by: { deviceId: c1.deviceId } });
    await B1.next('call-accepted', callId); // B still rings: the call goes on answered
    expect((await w.callsRepo.call(callId))!.outcome).toBe('answered');
    expect(await rings.invitees(callId)).toContainEqual(
      expect.objectContaining({ deviceId: c1.deviceId, state: 'accepted' }),
    );
    for (const [probe, d] of [
      [A1, a1],
      [C1, c1],
    ] as const) {
      probe.send({ type: 'call-hangup', id: `bye-${d.deviceId}`, callId });
      await probe.take((f) => f['id'] === `bye-${d.deviceId}`);
    }
    await ended(B1, callId);
    expect((await w.calls.live(c1.principal, ab)).calls).toEqual([]);
    await w.delivery.db.transaction((tx) => w.delivery.replaceMembers(ab, membersOf([a1, a2, b1, b2]), tx));
  });

  it('a late answer from a device that may not join (taken out of the chat) changes nothing; nor one after the ring time', async () => {
    const d = await TestDevice.create(ca, {
      deviceId: randomUUID(),
      userId: randomUUID(),
      institutionId: null,
    });
    const { callId } = await ring(A1, a1);
    await B1.next('call-ring', callId);
    // d is in the group's tree again, but was taken out of the chat (a revoked device stays out).
    const membersOf = (devices: TestDevice[]) =>
      devices.map((x, leafIndex) => ({ leafIndex, deviceId: x.deviceId, userId: x.principal.userId }));
    await w.delivery.db.transaction(async (tx) => {
      await w.delivery.replaceMembers(ab, membersOf([a1, a2, b1, b2, d]), tx);
      await w.removals.record(d.deviceId, d.principal.userId, 'lost', tx);
    });
    await expect(w.signalling!.accept(d.principal, callId)).rejects.toMatchObject({ code: 'call_not_found' });
    expect((await w.callsRepo.call(callId))!.outcome).toBeNull(); // still rings: nobody answered
    expect(A1.got.some((f) => f.type === 'call-accepted' && f['callId'] === callId)).toBe(false);
    expect((await rings.invitees(callId)).map((i) => i.deviceId)).not.toContain(d.deviceId);

    // The ring time passed before the timer ran: an answer now finds the call missed, and it ends.
    await w.delivery.db.execute(
      sql`update secure_chat.calls set ring_until = now() - interval '1 second' where id = ${callId}`,
    );
    B1.send({ type: 'call-accept', id: 'too-late', callId });
    expect(await B1.take((f) => f['id'] === 'too-late')).toMatchObject({ code: 'call_not_ringing' });
    expect(await ended(A1, callId)).toMatchObject({ reason: 'missed' });
    expect((await w.callsRepo.call(callId))!.outcome).toBe('missed');
    await w.delivery.db.transaction((tx) => w.delivery.replaceMembers(ab, membersOf([a1, a2, b1, b2]), tx));
  });

  it('a Janus killed mid-call: the participants are told call-ended (media_host_down)', async () => {
    const { callId } = await ring(A1, a1);
    B1.send({ type: 'call-accept', id: 'k', callId });
    await B1.take((f) => f['id'] === 'k');
    await janus.stop();
    await w.health.probeAll();
    await w.health.probeAll();
    expect(await ended(B1, callId)).toMatchObject({ reason: 'media_host_down' });
    await ended(A1, callId);
    expect((await w.callsRepo.call(callId))!.outcome).toBe('answered');
  });
});
