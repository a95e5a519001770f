import { Inject, Injectable, Optional } from '@nestjs/common';
import type { DevicePrincipal } from '@pakawaaz/platform';
import { CHAT_WAKE, type ChatWake } from '../chat-ports.js';
import { messageEpochAccepted } from '../groups/commit-plan.js';
import { b64u } from '../mls/bytes.js';
import { readMessage } from '../mls/mls-facts.js';
import { mlsInput } from '../mls/mls-input.js';
import { ChatPolicyEnforcer } from '../policy/chat-policy.enforcer.js';
import { secureChatError } from '../secure-chat.errors.js';
import { DeliveryRepository } from './delivery.repository.js';
import type { QueueKind } from './delivery.schema.js';

export type QueuedEnvelope = {
  seq: number;
  groupId: string;
  senderDevice: string | null;
  kind: QueueKind;
  body: string;
  at: string;
};
export type SendResult = { groupId: string; epoch: string; recipients: number };

/** Most envelopes one inbox read returns. */
export const INBOX_PAGE = 200;

/**
 * Application messages and proposals, and the per-device queues: fan-out to every member device but the
 * sender, at-least-once delivery in `seq` order until acknowledged, idempotent sends per (device, clientId).
 */
@Injectable()
export class DeliveryService {
  constructor(
    private readonly repo: DeliveryRepository,
    @Inject(CHAT_WAKE) private readonly wake: ChatWake,
    // Legal hold of metadata (bound in SecureChatModule).
    @Optional() private readonly policy?: ChatPolicyEnforcer,
  ) {}

  async send(
    device: DevicePrincipal,
    groupId: string,
    input: { message: Uint8Array; clientId: string },
  ): Promise<SendResult> {
    const msg = await mlsInput(() => readMessage(input.message), 'message');
    if (msg.contentType === 'commit')
      throw secureChatError('invalid_chat_input', 'message: a commit goes to /commits with its GroupInfo.');
    if (b64u(msg.groupId) !== groupId)
      throw secureChatError('mls_wrong_group', 'message: it is for another group.');
    const kind: QueueKind = msg.contentType;
    const { result, wake } = await this.repo.db.transaction(async (tx) => {
      const previous = await this.repo.previousSend(device.deviceId, input.clientId, tx);
      if (previous) {
        if (previous['op'] !== 'send' || previous['groupId'] !== groupId)
          throw secureChatError(
            'client_id_reused',
            'This clientId was used for another operation: use a new one.',
          );
        return { result: previous as SendResult, wake: [] as string[] };
      }
      // A shared lock: messages to a group go on in parallel, and wait for a commit being applied.
      const group = await this.repo.shareGroup(groupId, tx);
      if (!group?.deviceIds.includes(device.deviceId))
        throw secureChatError('group_not_found', 'No group with this id of which this device is a member.');
      if (!messageEpochAccepted(group.epoch, msg.epoch))
        throw secureChatError(
          'mls_stale_epoch',
          `The group is at epoch ${group.epoch}: messages are accepted for it and the one before.`,
          { epoch: group.epoch.toString() },
        );
      const to = group.deviceIds.filter((d) => d !== device.deviceId);
      await this.repo.enqueue(
        to,
        { groupId, senderDevice: device.deviceId, kind, body: Buffer.from(input.message) },
        tx,
      );
      const result: SendResult = { groupId, epoch: msg.epoch.toString(), recipients: new Set(to).size };
      await this.repo.recordSend(device.deviceId, input.clientId, { op: 'send', ...result }, tx);
      await this.policy?.recordSend(
        device,
        { groupId, kind, sizeBytes: input.message.length, recipients: result.recipients },
        tx,
      );
      return { result, wake: to };
    });
    if (wake.length) this.wake.queued(wake);
    return { groupId: result.groupId, epoch: result.epoch, recipients: result.recipients };
  }

  /** The calling device's queue after `after` (at most INBOX_PAGE), oldest first. */
  async inbox(device: DevicePrincipal, after: number, limit = INBOX_PAGE): Promise<QueuedEnvelope[]> {
    const rows = await this.repo.inbox(device.deviceId, after, Math.min(limit, INBOX_PAGE));
    return rows.map((r) => ({
      seq: r.seq,
      groupId: r.groupId,
      senderDevice: r.senderDevice,
      kind: r.kind,
      body: r.body.toString('base64url'),
      at: r.createdAt.toISOString(),
    }));
  }

  /** Deletes the calling device's queue up to `upTo` (delivered and processed). */
  async ack(device: DevicePrincipal, upTo: number): Promise<{ removed: number }> {
    return { removed: await this.repo.ack(device.deviceId, upTo) };
  }
}
