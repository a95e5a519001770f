import { Inject, Injectable, Optional } from '@nestjs/common';
import { AuditService, LOGGER, requireRole, SYSTEM_ACTOR, type Logger } from '@pakawaaz/platform';
import { callsError } from '../calls.errors.js';
import { CALLS_SECRETS, type CallsSecrets } from '../media-hosts/calls-secrets.js';
import { JanusError } from '../media-hosts/janus-admin.js';
import { MediaHostsRepository, type MediaHostRow } from '../media-hosts/media-hosts.repository.js';
import { MediaHostsService, type Ctx } from '../media-hosts/media-hosts.service.js';
import { CallNotifier } from '../signalling/call-notifier.js';
import { CallsRepository, type CallRow } from './calls.repository.js';
import { strangers } from './strangers.js';

/**
 * What the control plane does to a call's room in Janus: take a device out (Janus first, then the record),
 * kick devices taken out of chat, end a call (destroy its room). Shared by the device routes, the kick
 * listener, the operator's end and the idle reaper.
 */
/** A call room's Janus description, from which the orphan sweep recovers the call (and its room secret). */
export const roomDescription = (callId: string) => `call ${callId}`;
export const callOfRoom = (description: string) =>
  /^call ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(description)?.[1];

@Injectable()
export class CallRoomsService {
  constructor(
    private readonly repo: CallsRepository,
    private readonly hostsRepo: MediaHostsRepository,
    private readonly hosts: MediaHostsService,
    @Inject(CALLS_SECRETS) private readonly secrets: CallsSecrets,
    private readonly audit: AuditService,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() private readonly notifier?: CallNotifier,
  ) {}

  /** A national operator ends a live call (abuse, a stuck room): its room is destroyed. Audited. */
  async endByOperator(callId: string, ctx: Ctx): Promise<{ callId: string; state: 'ended' }> {
    requireRole(ctx.principal, 'media-admin');
    const call = await this.repo.call(callId);
    if (!call) throw callsError('call_not_found', 'No call has this id.');
    if (call.state === 'live') await this.finish(call, 'ended_by_operator');
    await this.audit.record({
      actor: ctx.principal.actor,
      action: 'secure-chat.call.ended',
      target: `call:${callId}`,
      details: { groupId: call.groupId, wasLive: call.state === 'live' },
      requestId: ctx.requestId,
    });
    return { callId, state: 'ended' };
  }

  /** A device taken out of chat: out of every live call at once (token revoked, kicked). */
  async kickDevice(deviceId: string): Promise<number> {
    return this.kick(await this.repo.liveParticipations({ deviceId }));
  }

  /** Devices a commit dropped from a group: out of that group's live call (other calls are not theirs to lose). */
  async kickFromGroup(groupId: string, deviceIds: readonly string[]): Promise<number> {
    return this.kick(await this.repo.liveParticipations({ groupId, deviceIds }));
  }

  async kickOfficial(userId: string): Promise<number> {
    return this.kick(await this.repo.liveParticipations({ userId }));
  }

  /**
   * Every row is tried (one host not answering does not spare the device's other calls); a row Janus did not
   * confirm stays `joined` and the whole kick fails afterwards, so the durable consumer redelivers the event
   * and the kick is retried. A kick that leaves nobody joined ends the call.
   */
  private async kick(rows: Awaited<ReturnType<CallsRepository['liveParticipations']>>): Promise<number> {
    const failed: unknown[] = [];
    for (const { call, participant } of rows) {
      try {
        await this.drop(call, participant.deviceId, 'removed');
        this.logger.info({ callId: call.id, deviceId: participant.deviceId }, 'device kicked from a call');
        await this.finishIfEmpty(call, 'everyone_removed');
      } catch (err) {
        failed.push(err);
        this.logger.warn({ err, callId: call.id, deviceId: participant.deviceId }, 'kick not confirmed');
      }
    }
    if (failed.length > 0) throw new Error(`${failed.length} of ${rows.length} call kicks not confirmed`);
    return rows.length;
  }

  /**
   * Revokes the device's token and kicks its participant id in Janus, then records why it is out — in that
   * order, so a Janus failure leaves the row `joined` (and the kick retried) rather than a device recorded
   * out while still in the room. Janus does not bind a token to an id, so every participant in the room
   * under an id we did not issue to another joined device is kicked too (`strangers`).
   */
  async drop(call: CallRow, deviceId: string, state: 'left' | 'removed'): Promise<void> {
    const people = await this.repo.participants(call.id);
    const me = people.find((p) => p.deviceId === deviceId);
    if (!me) return;
    const others = people.filter((p) => p.deviceId !== deviceId);
    const host = await this.hostsRepo.find(call.hostId);
    if (host) {
      const admin = await this.hosts.adminOf(host);
      const token = await this.secrets.joinToken(call.id, deviceId);
      const secret = await this.secrets.roomSecret(call.id);
      await this.janus(async () => {
        await admin.allow(call.roomId, secret, 'remove', [token]);
        await admin.kick(call.roomId, secret, me.participantId);
        for (const id of strangers(await admin.participants(call.roomId), others))
          await admin.kick(call.roomId, secret, id);
      });
    }
    await this.repo.setParticipantState(call.id, deviceId, state, new Date());
    this.notify(() => this.notifier?.left(call, me));
  }

  /**
   * Kicks every participant of the call's room under an id the record does not have `joined` (or holding
   * `reclaim`, the id just handed to a device asking to join): see `strangers`. Logged and audited; how many.
   * Janus is listed before the record is read, so a device that joined meanwhile (recorded before it
   * connects) is never taken for a stranger. Run after each join and in every reaper round.
   */
  async evictStrangers(call: CallRow, reclaim?: number): Promise<number> {
    const host = await this.hostsRepo.find(call.hostId);
    if (!host) return 0;
    const admin = await this.hosts.adminOf(host);
    const present = await admin.participants(call.roomId);
    if (present.length === 0) return 0;
    const ids = strangers(present, await this.repo.participants(call.id), reclaim);
    const secret = await this.secrets.roomSecret(call.id);
    for (const id of ids) {
      await admin.kick(call.roomId, secret, id);
      this.logger.warn(
        { callId: call.id, participantId: id },
        'a participant under an id not issued to it kicked',
      );
      await this.audit.record({
        actor: SYSTEM_ACTOR,
        action: 'secure-chat.call.stranger-kicked',
        target: `call:${call.id}`,
        details: { groupId: call.groupId, participantId: id, reclaimed: id === reclaim },
      });
    }
    return ids.length;
  }

  warn(err: unknown, callId: string): void {
    this.logger.warn({ err, callId }, 'stranger sweep failed (retried by the reaper)');
  }

  /** Signals are best effort: a failed one is logged, never fails what the call did. */
  notify(send: () => Promise<void> | undefined): void {
    void Promise.resolve()
      .then(send)
      .catch((err: unknown) => this.logger.warn({ err }, 'a call signal could not be sent'));
  }

  async finishIfEmpty(call: CallRow, reason: string): Promise<boolean> {
    const people = await this.repo.participants(call.id);
    if (people.some((p) => p.state === 'joined')) return false;
    await this.finish(call, reason);
    return true;
  }

  /** Ends the call (recorded first: nobody joins it any more) and destroys its room. */
  async finish(call: CallRow, reason: string): Promise<void> {
    await this.repo.endCall(call.id, reason, new Date());
    this.notify(() => this.notifier?.ended(call, reason));
    const host = await this.hostsRepo.find(call.hostId);
    if (!host) return;
    try {
      await (await this.hosts.adminOf(host)).destroyRoom(call.roomId, await this.secrets.roomSecret(call.id));
    } catch (err) {
      // The host's orphan sweep destroys it later (a room without a live call).
      this.logger.warn({ err, callId: call.id }, 'could not destroy a call room');
    }
  }

  async hostOf(call: CallRow): Promise<MediaHostRow> {
    const host = await this.hostsRepo.find(call.hostId);
    if (!host) throw callsError('call_ended', 'The call has ended (its media host is gone).');
    return host;
  }

  async janus<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof JanusError)) throw err;
      this.logger.warn({ err: err.message }, 'media host request failed');
      throw callsError('calls_unavailable', 'The media host did not answer: try again.');
    }
  }
}
