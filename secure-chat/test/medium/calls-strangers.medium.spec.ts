import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLS_ERROR_STATUS } from '../../src/calls/calls.errors.js';
import { codeOf, device as deviceOf, groupOf } from '../support/calls-fixture.js';
import type { JanusClient } from '../support/janus-ws.js';
import { janusBinary, oneHostCalls } from '../support/one-host-calls.js';

const INST = randomUUID();
const device = () => deviceOf(INST);

/*
 * Who may be in a call's room, on a real Janus. Janus does not bind a feed id to the join token that let a
 * publisher in, so a member could publish under another official's id (and be shown under their name): the
 * control plane kicks whoever is in the room under an id the call's record does not have joined — after each
 * join and at every reaper round — and a device asking to join takes its id back from whoever holds it.
 * And a device no longer in the group, or retired, is refused at join.
 */
describe.skipIf(!janusBinary)('strangers in a call room on a real Janus', () => {
  let w: Awaited<ReturnType<typeof oneHostCalls>>;
  const [alice, bilal, carol, dave] = [device(), device(), device(), device()];
  const groupId = 'Z3JvdXAtcw';

  beforeAll(async () => {
    w = await oneHostCalls('pakawaaz-calls-s-', {
      maxParticipants: 10,
      maxStartedPerDevice: 5,
      idleMs: 60_000,
    });
    await groupOf(w.delivery, groupId, [alice, bilal, carol, dave]);
  }, 90_000);

  afterAll(async () => {
    await w?.stop();
  });

  const connect = (url: string) => w.connect(url);
  const kicked = (c: JanusClient) => c.waitForEvent((d) => d['leaving'] === 'ok' || d['reason'] === 'kicked');
  const inRoom = async (room: number) => (await w.admin.participants(room)).map((p) => p.id).sort();

  it('kicks a member publishing under an id not issued to it, and gives a joining device its id back', async () => {
    const a = await w.calls.start(alice, groupId);
    const b = await w.calls.join(bilal, a.callId);
    const c = await w.calls.join(carol, a.callId);
    const { room } = a.janus;
    const pa = await connect(a.janus.url);
    expect(await pa.join(room, a.janus.participantId, a.janus.token)).toMatchObject({ videoroom: 'joined' });
    const pc = await connect(c.janus.url);
    expect(await pc.join(room, c.janus.participantId, c.janus.token)).toMatchObject({ videoroom: 'joined' });

    // Bilal left; Carol, with her own token, joins under his id (which GET /calls/{id} shows every member).
    await w.calls.leave(bilal, a.callId);
    const asBilal = await connect(a.janus.url);
    expect(await asBilal.join(room, b.janus.participantId, c.janus.token)).toMatchObject({
      videoroom: 'joined',
    });
    expect(await w.reaper.evictStrangers()).toBe(1);
    expect(await kicked(asBilal)).toBe(true);
    expect(await inRoom(room)).toEqual([a.janus.participantId, c.janus.participantId].sort());

    // Dave asked to join and has not connected yet: Carol takes his id first (the record has it joined).
    const d = await w.calls.join(dave, a.callId);
    const asDave = await connect(a.janus.url);
    expect(await asDave.join(room, d.janus.participantId, c.janus.token)).toMatchObject({
      videoroom: 'joined',
    });
    expect(await w.reaper.evictStrangers()).toBe(0);
    const daveFirst = await connect(d.janus.url);
    expect(await daveFirst.join(room, d.janus.participantId, d.janus.token)).toMatchObject({
      error_code: 436,
    });
    // Dave asks again: whoever holds his id goes, and he is in under it.
    const again = await w.calls.join(dave, a.callId);
    expect(again.janus.participantId).toBe(d.janus.participantId);
    expect(await kicked(asDave)).toBe(true);
    const pd = await connect(d.janus.url);
    expect(await pd.join(room, d.janus.participantId, d.janus.token)).toMatchObject({ videoroom: 'joined' });

    // An id nobody was issued: the next join's sweep takes it out.
    const nobody = await connect(a.janus.url);
    expect(await nobody.join(room, 4242, c.janus.token)).toMatchObject({ videoroom: 'joined' });
    await w.calls.join(bilal, a.callId);
    expect(await kicked(nobody)).toBe(true);
    expect(await inRoom(room)).toEqual(
      [a.janus.participantId, c.janus.participantId, d.janus.participantId].sort(),
    );
    await w.calls.end(alice, a.callId);
  });

  it('refuses "Join call" to a device dropped from the group, and to a retired one', async () => {
    const erin = device();
    const other = 'Z3JvdXAtdA';
    await groupOf(w.delivery, other, [alice, bilal, erin]);
    const call = await w.calls.start(alice, other);
    await w.db.handle.db.transaction(async (tx) => {
      // A commit took Bilal's device out of the group; Erin's device, still in its tree, was retired.
      await w.delivery.replaceMembers(
        other,
        [alice, erin].map((m, leafIndex) => ({
          leafIndex,
          deviceId: m.deviceId,
          userId: m.userId,
        })),
        tx,
      );
      await w.removals.record(erin.deviceId, erin.userId, 'retired', tx);
    });
    expect(await codeOf(w.calls.join(bilal, call.callId))).toBe('call_not_found');
    expect(await codeOf(w.calls.join(erin, call.callId))).toBe('call_not_found');
    expect(CALLS_ERROR_STATUS.call_not_found).toBe(404);
    const people = (await w.calls.get(alice, call.callId)).participants.map((p) => p.deviceId);
    expect(people).not.toContain(bilal.deviceId);
    expect(people).not.toContain(erin.deviceId);
    await w.calls.end(alice, call.callId);
  });
});
