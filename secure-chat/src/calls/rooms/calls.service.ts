import { randomInt, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Db, DevicePrincipal } from '@pakawaaz/platform';
import { DeliveryRepository } from '../../delivery/delivery.repository.js';
import { RemovalsRepository } from '../../membership/removals.repository.js';
import { CALLS_CONFIG, type CallsConfig } from '../calls.config.js';
import { callsError } from '../calls.errors.js';
import { CALLS_SECRETS, type CallsSecrets } from '../media-hosts/calls-secrets.js';
import { MediaHostsService } from '../media-hosts/media-hosts.service.js';
import { TurnService } from '../turn/turn.service.js';
import type { TurnCredentials } from '../turn/turn-credentials.js';
import { CallRoomsService, roomDescription } from './call-rooms.service.js';
import { CallsRepository, type CallRow, type ParticipantRow } from './calls.repository.js';

export type JoinDetails = {
  callId: string;
  groupId: string;
  janus: { url: string; room: number; participantId: number; token: string };
  turn: TurnCredentials | null;
};
export type CallView = {
  callId: string;
  groupId: string;
  state: 'live' | 'ended';
  startedByDevice: string;
  startedAt: string;
  endedAt: string | null;
  endReason: string | null;
  kind: 'voice' | 'video';
  /** How the ringing went: null while it rings (or a call never rung), else answered, missed, … */
  outcome: 'answered' | 'missed' | 'declined' | 'cancelled' | 'busy' | null;
  participants: {
    deviceId: string;
    userId: string;
    participantId: number;
    state: 'joined' | 'left' | 'removed';
  }[];
};

const notFound = () =>
  callsError('call_not_found', 'No call with this id in a group this device is a member of.');

// Janus ids are 64-bit; JSON numbers are exact below 2^53, and 48 random bits never collide in practice.
const randomId = () => randomInt(1, 2 ** 48 - 1);

/**
 * Calls of chat groups: a call is one E2EE VideoRoom (require_e2ee) on a placed media host. Only member devices
 * of the group (as the delivery service knows them: removed devices are no longer members) start, join or
 * see a call; each joining device gets its own Janus join token (the room's `allowed` list) and the
 * participant id to join with, plus short-lived TURN credentials. A device leaving revokes its token and is
 * kicked; the last one out, or the starter's end, destroys the room.
 */
@Injectable()
export class CallsService {
  constructor(
    private readonly repo: CallsRepository,
    private readonly rooms: CallRoomsService,
    private readonly hosts: MediaHostsService,
    private readonly delivery: DeliveryRepository,
    private readonly removals: RemovalsRepository,
    private readonly turn: TurnService,
    @Inject(CALLS_SECRETS) private readonly secrets: CallsSecrets,
    @Inject(CALLS_CONFIG)
    private readonly config: Pick<CallsConfig, 'maxParticipants' | 'maxStartedPerDevice'>,
  ) {}

  async start(device: DevicePrincipal, groupId: string): Promise<JoinDetails> {
    await this.requireMember(device, groupId);
    const callId = randomUUID();
    const roomId = randomId();
    // The placement lock is held only to reserve (the call row): Janus is called after the commit, so a hung
    // host never holds up other starts; a room Janus did not create ends the reserved call.
    const host = await this.repo.db.transaction(async (tx) => {
      const host = await this.hosts.place(tx);
      const live = await this.repo.liveCallOfGroup(groupId, tx);
      if (live)
        throw callsError('call_in_progress', 'The group has a live call: join it.', { callId: live.id });
      const mine = await this.repo.liveCallsStartedBy(device.deviceId, tx);
      if (mine >= this.config.maxStartedPerDevice)
        throw callsError('call_limit_reached', 'This device has too many live calls: end one first.', {
          limit: this.config.maxStartedPerDevice,
        });
      await this.repo.insertCall(
        {
          id: callId,
          groupId,
          hostId: host.id,
          roomId,
          startedByDevice: device.deviceId,
          startedByUser: device.userId,
          state: 'live',
          startedAt: new Date(),
          institutions: device.institutionId ? [device.institutionId] : [],
        },
        tx,
      );
      return host;
    });
    try {
      await this.rooms.janus(async () =>
        (await this.hosts.adminOf(host)).createRoom(
          roomId,
          await this.secrets.roomSecret(callId),
          this.config.maxParticipants,
          roomDescription(callId),
        ),
      );
    } catch (err) {
      await this.repo.endCall(callId, 'room_not_created', new Date());
      throw err;
    }
    return this.join(device, callId);
  }

  async join(device: DevicePrincipal, callId: string): Promise<JoinDetails> {
    const call = await this.visibleCall(device, callId);
    const participantId = await this.repo.db.transaction(async (tx) => {
      // Under the call's lock, the call as it is now (not as read before): an ended call is not joined, and
      // a device taken out of chat (or kicked from this call) does not come back.
      const locked = await this.repo.lockCall(callId, tx);
      if (locked?.state !== 'live') throw callsError('call_ended', 'The call has ended.');
      const mine = await this.admit(device, locked, tx);
      const id = mine?.participantId ?? randomId();
      const at = new Date();
      await this.repo.upsertParticipant(
        {
          callId,
          deviceId: device.deviceId,
          userId: device.userId,
          participantId: id,
          state: 'joined',
          joinedAt: at,
        },
        tx,
      );
      return id;
    });
    const host = await this.rooms.hostOf(call);
    const token = await this.secrets.joinToken(callId, device.deviceId);
    const admin = await this.hosts.adminOf(host);
    const secret = await this.secrets.roomSecret(callId);
    await this.rooms.janus(() => admin.allow(call.roomId, secret, 'add', [token]));
    // A kick (or the call's end) that ran between the commit and the token's addition: take it back.
    const now = (await this.repo.participants(callId)).find((p) => p.deviceId === device.deviceId);
    if (now?.state !== 'joined' || (await this.repo.call(callId))?.state !== 'live') {
      await this.rooms.janus(() => admin.allow(call.roomId, secret, 'remove', [token]));
      throw callsError('call_ended', 'The call has ended, or this device was taken out of it.');
    }
    // Whoever is in the room under an id not issued to them — or under this device's own id, before it
    // connects — goes. Best effort: the reaper's next round sweeps again.
    await this.rooms
      .evictStrangers(call, participantId)
      .catch((err: unknown) => this.rooms.warn(err, callId));
    return {
      callId,
      groupId: call.groupId,
      janus: { url: host.wsUrl, room: call.roomId, participantId, token },
      turn: await this.turn.issue(device.deviceId),
    };
  }

  /**
   * May this device join the call (its row locked in `tx`)? A member of the group now, not taken out of the
   * chat nor out of this call, and a place left; its institution joins the call's (the operators' scope).
   * Throws call_not_found or call_full; returns the device's participant row, if it had one.
   */
  async admit(device: DevicePrincipal, call: CallRow, tx: Db): Promise<ParticipantRow | undefined> {
    const members = await this.delivery.members(call.groupId, tx);
    if (!members.some((m) => m.deviceId === device.deviceId)) throw notFound();
    if ((await this.removals.refusedAmong([device], tx)).size > 0) throw notFound();
    const people = await this.repo.participants(call.id, tx);
    const mine = people.find((p) => p.deviceId === device.deviceId);
    if (mine?.state === 'removed') throw notFound();
    const joined = people.filter((p) => p.state === 'joined' && p.deviceId !== device.deviceId);
    if (joined.length >= this.config.maxParticipants) throw callsError('call_full', 'The call is full.');
    await this.repo.addInstitution(call.id, device.institutionId, tx);
    return mine;
  }

  async leave(device: DevicePrincipal, callId: string): Promise<CallView> {
    const call = await this.visibleCall(device, callId);
    if (call.state === 'live') {
      await this.rooms.drop(call, device.deviceId, 'left');
      await this.rooms.finishIfEmpty(call, 'everyone_left');
    }
    return this.view(callId);
  }

  async end(device: DevicePrincipal, callId: string): Promise<CallView> {
    const call = await this.visibleCall(device, callId);
    if (call.startedByDevice !== device.deviceId)
      throw callsError(
        'not_call_starter',
        'Only the device that started the call ends it; leave it instead.',
      );
    if (call.state === 'live') await this.rooms.finish(call, 'ended_by_starter');
    return this.view(callId);
  }

  async get(device: DevicePrincipal, callId: string): Promise<CallView> {
    await this.visibleCall(device, callId);
    return this.view(callId);
  }

  /**
   * The live calls of the device's groups, or of one of them (a member's only: else 404 call_not_found) —
   * for a device that was never rung (offline through the ring, added to the group later, reloaded).
   */
  async live(device: DevicePrincipal, groupId?: string): Promise<{ calls: CallView[] }> {
    if (groupId !== undefined) await this.requireMember(device, groupId);
    const rows = await this.repo.liveCallsOfMember(device.deviceId, groupId);
    return { calls: await Promise.all(rows.map((c) => this.view(c.id, c))) };
  }

  async visibleCall(device: DevicePrincipal, callId: string): Promise<CallRow> {
    const call = await this.repo.call(callId);
    const members = call ? await this.delivery.members(call.groupId) : [];
    if (!call || !members.some((m) => m.deviceId === device.deviceId)) throw notFound();
    return call;
  }

  private async requireMember(device: DevicePrincipal, groupId: string): Promise<void> {
    const members = await this.delivery.members(groupId);
    if (!members.some((m) => m.deviceId === device.deviceId))
      throw callsError('call_not_found', 'No group with this id of which this device is a member.');
  }

  private async view(callId: string, row?: CallRow): Promise<CallView> {
    const call = row ?? (await this.repo.call(callId))!;
    const people = await this.repo.participants(callId);
    return {
      callId,
      groupId: call.groupId,
      state: call.state,
      startedByDevice: call.startedByDevice,
      startedAt: call.startedAt.toISOString(),
      endedAt: call.endedAt?.toISOString() ?? null,
      endReason: call.endReason,
      kind: call.kind,
      outcome: call.outcome,
      participants: people.map((p) => ({
        deviceId: p.deviceId,
        userId: p.userId,
        participantId: p.participantId,
        state: p.state,
      })),
    };
  }
}
