import { randomInt, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type DevicePrincipal, type Logger } from '@pakawaaz/platform';
import { DeliveryRepository } from '../../delivery/delivery.repository.js';
import { CALLS_CONFIG, type CallsConfig } from '../calls.config.js';
import { callsError } from '../calls.errors.js';
import { CALLS_SECRETS, type CallsSecrets } from '../media-hosts/calls-secrets.js';
import { JanusError } from '../media-hosts/janus-admin.js';
import { MediaHostsRepository } from '../media-hosts/media-hosts.repository.js';
import { MediaHostsService } from '../media-hosts/media-hosts.service.js';
import { TurnService } from '../turn/turn.service.js';
import type { TurnCredentials } from '../turn/turn-credentials.js';
import { CallsRepository, type CallRow } from './calls.repository.js';

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
  participants: { deviceId: string; userId: string; state: 'joined' | 'left' | 'removed' }[];
};

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
    private readonly hostsRepo: MediaHostsRepository,
    private readonly hosts: MediaHostsService,
    private readonly delivery: DeliveryRepository,
    private readonly turn: TurnService,
    @Inject(CALLS_SECRETS) private readonly secrets: CallsSecrets,
    @Inject(CALLS_CONFIG) private readonly config: Pick<CallsConfig, 'maxParticipants'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async start(device: DevicePrincipal, groupId: string): Promise<JoinDetails> {
    await this.requireMember(device, groupId);
    const callId = randomUUID();
    const roomId = randomId();
    const host = await this.repo.db.transaction(async (tx) => {
      const host = await this.hosts.place(tx);
      const live = await this.repo.liveCallOfGroup(groupId, tx);
      if (live)
        throw callsError('call_in_progress', 'The group has a live call: join it.', { callId: live.id });
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
        },
        tx,
      );
      return host;
    });
    // After the commit: no database transaction (PGlite's one connection) waits on Janus.
    try {
      await this.janus(async () =>
        (await this.hosts.adminOf(host)).createRoom(roomId, this.config.maxParticipants, `call ${callId}`),
      );
    } catch (err) {
      await this.repo.endCall(callId, 'room_not_created', new Date());
      throw err;
    }
    return this.join(device, callId);
  }

  async join(device: DevicePrincipal, callId: string): Promise<JoinDetails> {
    const call = await this.visibleCall(device, callId);
    if (call.state !== 'live') throw callsError('call_ended', 'The call has ended.');
    const participantId = await this.repo.db.transaction(async (tx) => {
      await this.repo.lockCall(callId, tx);
      const people = await this.repo.participants(callId, tx);
      const mine = people.find((p) => p.deviceId === device.deviceId);
      const joined = people.filter((p) => p.state === 'joined' && p.deviceId !== device.deviceId);
      if (joined.length >= this.config.maxParticipants) throw callsError('call_full', 'The call is full.');
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
    const host = await this.hostOf(call);
    const token = await this.secrets.joinToken(callId, device.deviceId);
    await this.janus(() => this.hosts.adminOf(host).then((a) => a.allow(call.roomId, 'add', [token])));
    return {
      callId,
      groupId: call.groupId,
      janus: { url: host.wsUrl, room: call.roomId, participantId, token },
      turn: await this.turn.issue(device.deviceId),
    };
  }

  async leave(device: DevicePrincipal, callId: string): Promise<CallView> {
    const call = await this.visibleCall(device, callId);
    if (call.state === 'live') await this.drop(call, device.deviceId, 'left');
    const left = await this.repo.participants(callId);
    if (call.state === 'live' && !left.some((p) => p.state === 'joined'))
      await this.finish(call, 'everyone_left');
    return this.view(callId);
  }

  async end(device: DevicePrincipal, callId: string): Promise<CallView> {
    const call = await this.visibleCall(device, callId);
    if (call.startedByDevice !== device.deviceId)
      throw callsError(
        'not_call_starter',
        'Only the device that started the call ends it; leave it instead.',
      );
    if (call.state === 'live') await this.finish(call, 'ended_by_starter');
    return this.view(callId);
  }

  async get(device: DevicePrincipal, callId: string): Promise<CallView> {
    await this.visibleCall(device, callId);
    return this.view(callId);
  }

  /** A device taken out of chat: out of every live call at once (token revoked, kicked). */
  async kickDevice(deviceId: string): Promise<number> {
    return this.kick(await this.repo.liveParticipations({ deviceId }));
  }

  async kickOfficial(userId: string): Promise<number> {
    return this.kick(await this.repo.liveParticipations({ userId }));
  }

  private async kick(rows: Awaited<ReturnType<CallsRepository['liveParticipations']>>): Promise<number> {
    for (const { call, participant } of rows) {
      await this.drop(call, participant.deviceId, 'removed');
      this.logger.info({ callId: call.id, deviceId: participant.deviceId }, 'device kicked from a call');
    }
    return rows.length;
  }

  /**
   * Revokes the device's token and kicks its participant id; its row says why it is out. Janus does not bind
   * a token to an id, so every participant in the room under an id we did not issue to a joined device is
   * kicked too (a removed device that joined under another id is out as well).
   */
  private async drop(call: CallRow, deviceId: string, state: 'left' | 'removed'): Promise<void> {
    const people = await this.repo.participants(call.id);
    const me = people.find((p) => p.deviceId === deviceId);
    if (!me) return;
    await this.repo.setParticipantState(call.id, deviceId, state, new Date());
    const issued = new Set(
      people.filter((p) => p.state === 'joined' && p.deviceId !== deviceId).map((p) => p.participantId),
    );
    const admin = await this.hosts.adminOf(await this.hostOf(call));
    const token = await this.secrets.joinToken(call.id, deviceId);
    await this.janus(async () => {
      await admin.allow(call.roomId, 'remove', [token]);
      await admin.kick(call.roomId, me.participantId);
      for (const p of await admin.participants(call.roomId))
        if (!issued.has(p.id)) await admin.kick(call.roomId, p.id);
    });
  }

  private async finish(call: CallRow, reason: string): Promise<void> {
    await this.repo.endCall(call.id, reason, new Date());
    const host = await this.hostsRepo.find(call.hostId);
    if (!host) return;
    try {
      await (await this.hosts.adminOf(host)).destroyRoom(call.roomId);
    } catch (err) {
      // The call is over either way; a room left behind dies with a non-permanent Janus room on restart.
      this.logger.warn({ err, callId: call.id }, 'could not destroy a call room');
    }
  }

  private async visibleCall(device: DevicePrincipal, callId: string): Promise<CallRow> {
    const call = await this.repo.call(callId);
    const members = call ? await this.delivery.members(call.groupId) : [];
    if (!call || !members.some((m) => m.deviceId === device.deviceId))
      throw callsError('call_not_found', 'No call with this id in a group this device is a member of.');
    return call;
  }

  private async requireMember(device: DevicePrincipal, groupId: string): Promise<void> {
    const members = await this.delivery.members(groupId);
    if (!members.some((m) => m.deviceId === device.deviceId))
      throw callsError('call_not_found', 'No group with this id of which this device is a member.');
  }

  private async hostOf(call: CallRow) {
    const host = await this.hostsRepo.find(call.hostId);
    if (!host) throw callsError('call_ended', 'The call has ended (its media host is gone).');
    return host;
  }

  private async janus<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof JanusError)) throw err;
      this.logger.warn({ err: err.message }, 'media host request failed');
      throw callsError('calls_unavailable', 'The media host did not answer: try again.');
    }
  }

  private async view(callId: string): Promise<CallView> {
    const call = (await this.repo.call(callId))!;
    const people = await this.repo.participants(callId);
    return {
      callId,
      groupId: call.groupId,
      state: call.state,
      startedByDevice: call.startedByDevice,
      startedAt: call.startedAt.toISOString(),
      endedAt: call.endedAt?.toISOString() ?? null,
      endReason: call.endReason,
      participants: people.map((p) => ({ deviceId: p.deviceId, userId: p.userId, state: p.state })),
    };
  }
}
