import { Injectable } from '@nestjs/common';
import type { DevicePrincipal } from '@pakawaaz/platform';
import type { QueuedEnvelope as PortEnvelope } from '../chat-ports.js';
import { b64u } from '../mls/bytes.js';
import { readMessage } from '../mls/mls-facts.js';
import { mlsInput } from '../mls/mls-input.js';
import { secureChatError } from '../secure-chat.errors.js';
import { DeliveryRepository } from './delivery.repository.js';
import type { QueueKind } from './delivery.schema.js';
import { SendGroupCommit, type SendResult } from './send-group-commit.js';

export type { SendResult } from './send-group-commit.js';

export type QueuedEnvelope = Omit<PortEnvelope, 'kind'> & { kind: QueueKind };

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
    private readonly sends: SendGroupCommit,
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
    // A member's proposal would be committed by reference, which the server could not resolve when it checks
    // that commit's next tree (only its own Removes are held): members put proposals in their commit by value.
    if (msg.contentType === 'proposal')
      throw secureChatError(
        'mls_unsupported',
        'message: proposals go in a commit by value (the server checks every commit against its proposals).',
      );
    return this.sends.send({
      device,
      groupId,
      clientId: input.clientId,
      kind: msg.contentType,
      epoch: msg.epoch,
      message: input.message,
    });
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
