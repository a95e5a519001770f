import { Injectable } from '@nestjs/common';
import type { DevicePrincipal } from '@pakawaaz/platform';
import type { QueuedEnvelope as PortEnvelope } from '../chat-ports.js';
import { b64u } from '../mls/bytes.js';
import { readMessage } from '../mls/mls-facts.js';
import { mlsInput } from '../mls/mls-input.js';
import { secureChatError } from '../secure-chat.errors.js';
import { DeliveryRepository } from './delivery.repository.js';
import type { QueueKind } from './delivery.schema.js';
import { INBOX_BYTES } from './envelope-bytes.js';
import type { QueueRow } from './queue-batches.js';
import { SendGroupCommit, type SendResult } from './send-group-commit.js';

export type { SendResult } from './send-group-commit.js';

export type QueuedEnvelope = Omit<PortEnvelope, 'kind'> & { kind: QueueKind };

/** Most envelopes one inbox read returns (and at most INBOX_BYTES of them, but one). */
export const INBOX_PAGE = 200;
export { INBOX_BYTES } from './envelope-bytes.js';

/** A read of the queue, and whether more follows it (read again after its last seq). */
export type InboxPage = { envelopes: QueuedEnvelope[]; more: boolean };
/** A read's cut: at most `limit` envelopes (INBOX_PAGE) and `bytes` bytes of them as JSON (INBOX_BYTES). */
export type InboxCut = { limit?: number; bytes?: number };

/** A queued row as delivered (the body and the time as text). */
export const envelopeOf = (r: QueueRow): QueuedEnvelope => ({
  seq: r.seq,
  groupId: r.groupId,
  senderDevice: r.senderDevice,
  kind: r.kind,
  body: r.body.toString('base64url'),
  at: r.createdAt.toISOString(),
});

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

  /** The calling device's queue after `after`, oldest first: `inboxPage`'s envelopes. */
  async inbox(device: DevicePrincipal, after: number, cut: InboxCut = {}): Promise<QueuedEnvelope[]> {
    return (await this.inboxPage(device, after, cut)).envelopes;
  }

  /**
   * The calling device's queue after `after`, oldest first: at most `limit` (INBOX_PAGE) envelopes and `bytes`
   * (INBOX_BYTES) of them as JSON, but at least one — cut by the database, which reads no more.
   */
  async inboxPage(device: DevicePrincipal, after: number, cut: InboxCut = {}): Promise<InboxPage> {
    const { limit = INBOX_PAGE, bytes = INBOX_BYTES } = cut;
    const page = await this.repo.inboxPage(
      device.deviceId,
      after,
      Math.min(limit, INBOX_PAGE),
      Math.min(bytes, INBOX_BYTES),
    );
    return { envelopes: page.rows.map(envelopeOf), more: page.more };
  }

  /** Deletes the calling device's queue up to `upTo` (delivered and processed). */
  async ack(device: DevicePrincipal, upTo: number): Promise<{ removed: number }> {
    return { removed: await this.repo.ack(device.deviceId, upTo) };
  }
}
