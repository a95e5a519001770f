import type { DevicePrincipal } from '@pakawaaz/platform';
import { describe, expect, it, vi } from 'vitest';
import { CallSignallingService } from './call-signalling.service.js';
import type { Invitee, Outcome } from './call-state.js';

const device = (deviceId: string, userId: string) =>
  ({ deviceId, userId, institutionId: 'i1', kind: 'mobile' }) as unknown as DevicePrincipal;
const a1 = device('a1', 'a');
const b1 = device('b1', 'b');
const b2 = device('b2', 'b');

/** The service over fakes: call c1 of group g1 (a calls b), ringing, with these invitees and members. */
function harness(invitees: Invitee[], outcome: Outcome | null, members = [a1, b1, b2]) {
  const call = {
    id: 'c1',
    groupId: 'g1',
    kind: 'voice',
    state: 'live',
    startedByDevice: 'a1',
    startedByUser: 'a',
    ringUntil: new Date(Date.now() + 20_000),
    outcome,
  };
  const join = vi.fn(() => Promise.resolve({ callId: 'c1' }));
  const repo = {
    call: () => Promise.resolve(call),
    lockCall: () => Promise.resolve(call),
    db: { transaction: (fn: (tx: unknown) => unknown) => fn({}) },
  };
  const rings = {
    invitees: () => Promise.resolve(invitees),
    record: () => Promise.resolve(),
    ringingFor: () => Promise.resolve([call]),
  };
  const delivery = { members: () => Promise.resolve(members) };
  const calls = { visibleCall: () => Promise.resolve(call), join };
  const notifier = { send: () => Promise.resolve() };
  const rooms = { finish: () => Promise.resolve() };
  const svc = new CallSignallingService(
    repo as never,
    rings as never,
    delivery as never,
    calls as never,
    rooms as never,
    notifier as never,
    { ringMs: 20_000 },
    { warn: () => undefined } as never,
  );
  return { svc, join };
}

describe('call-accept', () => {
  it('joins a ringing callee after recording its answer', async () => {
    const { svc, join } = harness(
      [
        { deviceId: 'b1', userId: 'b', state: 'ringing' },
        { deviceId: 'b2', userId: 'b', state: 'ringing' },
      ],
      null,
    );
    await expect(svc.accept(b1, 'c1')).resolves.toEqual({ callId: 'c1' });
    expect(join).toHaveBeenCalledOnce();
  });

  it('gives a device that declined no join credentials while the call was not answered', async () => {
    const { svc, join } = harness(
      [
        { deviceId: 'b1', userId: 'b', state: 'declined' },
        { deviceId: 'c1', userId: 'c', state: 'ringing' },
      ],
      null,
    );
    await expect(svc.accept(b1, 'c1')).rejects.toMatchObject({ code: 'call_not_ringing' });
    expect(join).not.toHaveBeenCalled();
  });

  it('lets a device answered elsewhere join an answered call, as any member may', async () => {
    const { svc, join } = harness(
      [
        { deviceId: 'b1', userId: 'b', state: 'accepted' },
        { deviceId: 'b2', userId: 'b', state: 'answered_elsewhere' },
      ],
      'answered',
    );
    await svc.accept(b2, 'c1');
    expect(join).toHaveBeenCalledOnce();
  });
});

describe('pending rings on connect', () => {
  it('rings only calls of groups the device is still a member of', async () => {
    const ringing = [{ deviceId: 'b2', userId: 'b', state: 'ringing' as const }];
    expect(await harness(ringing, null).svc.ringing(b2)).toHaveLength(1);
    expect(await harness(ringing, null, [a1, b1]).svc.ringing(b2)).toEqual([]);
  });
});
