import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import {
  DATABASE,
  GroupCommit,
  LOGGER,
  type DatabaseHandle,
  type Db,
  type DevicePrincipal,
  type Keyed,
  type Settled,
} from '@pakawaaz/platform';
import type { Logger } from 'pino';
import { CHAT_WAKE, type ChatWake, type HandedEnvelope } from '../chat-ports.js';
import { messageEpochAccepted } from '../groups/commit-plan.js';
import { ChatPolicyEnforcer, senderInstitutions } from '../policy/chat-policy.enforcer.js';
import { commitLinger, SECURE_CHAT_CONFIG, type SecureChatConfig } from '../secure-chat.config.js';
import { secureChatError } from '../secure-chat.errors.js';
import { DeliveryRepository } from './delivery.repository.js';
import type { QueueKind } from './delivery.schema.js';
import type { EnqueueBatch } from './enqueue.js';
import { clientKey, SendBatchRepository, type SharedGroup } from './send-batch.repository.js';

export type SendResult = { groupId: string; epoch: string; recipients: number };
/** A send checked as far as it can be without the database (its MLS framing read). */
export type PendingSend = {
  device: DevicePrincipal;
  groupId: string;
  clientId: string;
  kind: QueueKind;
  epoch: bigint;
  message: Uint8Array;
};

/** Most sends in one transaction by default (PAKAWAAZ_CHAT_SEND_BATCH). */
export const SEND_BATCH = 64;

/**
 * Group commit of sends (as device check-ins do, see GroupCommit): sends arriving together — socket frames and
 * HTTP alike — are written in one transaction of a few multi-row statements, whatever their number: the groups
 * share-locked, each accepted send's idempotency row inserted once with its answer, the envelopes of the rows
 * inserted queued (and, under a legal hold, the metadata kept). Each send gets its own answer: one refused
 * (stale epoch, unknown group, a client id reused) is answered with its error and its batch-mates go on; a
 * refused send stores nothing, so its client id stays free for a retry. A batch that fails as a whole (a
 * deadlock with a commit, say) is written again one send per transaction, so each gets its own answer; a
 * database failure then fails the send, and the client retries with the same clientId.
 *
 * Idempotent: a send whose (device, clientId) is already stored — a retry after a lost answer, or a duplicate
 * sent at the same time over another connection or node, whose transaction the insert waits for — queues
 * nothing and gets the stored answer (read after the write), or `client_id_reused` when the id was another
 * group's or operation's; the recipients of a send answered from its stored row are woken all the same. A refused send is also answered from a stored row when there is one (a retry whose
 * group moved on since its first answer).
 *
 * Writes are keyed by the sending device: a device's sends are written one batch after another, in the order
 * they arrived, so its messages are queued in the order it sent them.
 */
@Injectable()
export class SendGroupCommit implements OnApplicationShutdown {
  private readonly group: GroupCommit<PendingSend, SendResult>;

  constructor(
    private readonly repo: DeliveryRepository,
    private readonly batch: SendBatchRepository,
    @Inject(CHAT_WAKE) private readonly wake: ChatWake,
    @Inject(DATABASE) database: DatabaseHandle,
    @Optional()
    @Inject(SECURE_CHAT_CONFIG)
    config?: Pick<SecureChatConfig, 'sendBatch' | 'commitLingerMs' | 'commitGatherMs'> | null,
    // Legal hold of metadata (bound in SecureChatModule).
    @Optional() private readonly policy?: ChatPolicyEnforcer,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {
    this.group = new GroupCommit({
      flush: (batch) => this.flush(batch),
      maxBatch: config?.sendBatch ?? SEND_BATCH,
      // The pool's other connections serve inbox reads, acks and commits; the embedded database has one.
      maxInFlight: database.mode === 'embedded' ? 1 : 3,
      ...commitLinger(config, database.mode),
    });
  }

  /** Sends still gathering (PAKAWAAZ_CHAT_COMMIT_GATHER_MS) are written before the database closes. */
  async onApplicationShutdown(): Promise<void> {
    await this.group.drain();
  }

  send(pending: PendingSend): Promise<SendResult> {
    return this.group.write(pending.device.deviceId, pending);
  }

  /** For tests and the bench: the largest batch so far, sends waiting, batches in flight. */
  stats(): ReturnType<GroupCommit<PendingSend, SendResult>['stats']> {
    return this.group.stats();
  }

  private async flush(batch: readonly Keyed<PendingSend>[]): Promise<Settled<SendResult>[]> {
    const items = batch.map((b) => b.item);
    if (items.length > 1) {
      try {
        return await this.write(items);
      } catch (error) {
        this.logger?.warn(
          { err: error, sends: items.length },
          'chat send batch failed as a whole; writing its sends one by one',
        );
      }
    }
    const settled: Settled<SendResult>[] = [];
    for (const item of items) {
      try {
        const [one] = await this.write([item]);
        settled.push(one!);
      } catch (error) {
        settled.push({ ok: false, error });
      }
    }
    return settled;
  }

  /**
   * One transaction for the batch; after it commits, the envelopes are handed to the recipients' sockets (a
   * socket here takes them without reading its queue) and the other recipients woken.
   */
  private async write(items: readonly PendingSend[]): Promise<Settled<SendResult>[]> {
    const { settled, wake, queued, at } = await this.repo.db.transaction((tx) => this.writeIn(items, tx));
    try {
      if (this.wake.handOff && at) {
        const handed = handOffs(queued, at.toISOString());
        for (const h of handed) wake.delete(h.deviceId);
        if (handed.length) this.wake.handOff(handed);
      }
      if (wake.size) this.wake.queued([...wake]);
    } catch (err) {
      // Committed: the sends are answered whatever happens to the wake (a socket reads again on its next one).
      this.logger?.warn({ err }, 'chat: waking the recipients of a send batch failed');
    }
    return settled;
  }

  private async writeIn(items: readonly PendingSend[], tx: Db) {
    // The senders' legal holds are read in the same round trip (none to read without the policy module).
    const institutions = this.policy ? senderInstitutions(items.map((s) => s.device)) : [];
    const { groups, held } = await this.batch.share(
      [...new Set(items.map((s) => s.groupId))],
      institutions,
      tx,
    );
    const refusals = items.map((s) => refusalOf(s, groups.get(s.groupId)));
    const settled: Settled<SendResult>[] = refusals.map((error) => ({ ok: false, error }));
    const accepted = items.flatMap((s, i) => {
      if (refusals[i]) return [];
      const to = groups.get(s.groupId)!.deviceIds.filter((d) => d !== s.device.deviceId);
      const value: SendResult = {
        groupId: s.groupId,
        epoch: s.epoch.toString(),
        recipients: new Set(to).size,
      };
      const envelope = {
        groupId: s.groupId,
        senderDevice: s.device.deviceId,
        kind: s.kind,
        body: Buffer.from(s.message.buffer, s.message.byteOffset, s.message.byteLength),
      };
      settled[i] = { ok: true, value };
      return [
        {
          i,
          d: s.device.deviceId,
          c: s.clientId,
          r: { op: 'send', ...value },
          queue: { deviceIds: to, envelope },
        },
      ];
    });
    const { seqs, at, stored } = await this.batch.write(accepted, tx);
    const written = accepted.filter((a) => !stored.has(clientKey(a.d, a.c)));
    // A send refused here, or whose (device, clientId) was stored before (a retry, a duplicate this batch waited
    // for), is answered from the stored row when there is one: read now, after the write (READ COMMITTED: a new
    // snapshot, which sees the row of a transaction the write or the share lock waited for).
    const again = items.flatMap((s, i) =>
      refusals[i] || stored.has(clientKey(s.device.deviceId, s.clientId))
        ? [{ i, d: s.device.deviceId, c: s.clientId }]
        : [],
    );
    const previous = await this.batch.previous(again, tx);
    for (const { i, d, c } of again) {
      const before = previous.get(clientKey(d, c));
      if (before) settled[i] = answerOf(before, items[i]!);
      // The pair conflicted yet its row is gone (forgotten by the sweep meanwhile): nothing was queued for it.
      else if (!refusals[i]) throw new Error('chat send: a stored clientId vanished during its batch');
    }
    await this.policy?.recordSends(
      written.map(({ i, r }) => ({
        device: items[i]!.device,
        meta: {
          groupId: items[i]!.groupId,
          kind: items[i]!.kind,
          sizeBytes: items[i]!.message.length,
          recipients: r.recipients,
        },
      })),
      tx,
      held,
    );
    // The recipients of every send answered as accepted, those found stored too (not handed off: their seqs are
    // not known): a batch whose COMMIT went through but whose answer was lost (its connection dropped) is
    // written again send by send, finds each stored, and its recipients would otherwise wait for a later wake.
    const wake = new Set(accepted.flatMap((a) => (settled[a.i]!.ok ? a.queue.deviceIds : [])));
    return { settled, wake, at, queued: accepted.map((a, k) => ({ ...a.queue, seqs: seqs[k] })) };
  }
}

/** The answer to a send whose (device, clientId) is stored: the first answer, or a refusal if it was another's. */
function answerOf(before: Record<string, unknown>, s: PendingSend): Settled<SendResult> {
  if (before['op'] !== 'send' || before['groupId'] !== s.groupId) return { ok: false, error: reused() };
  const { groupId, epoch, recipients } = before as SendResult;
  return { ok: true, value: { groupId, epoch, recipients } };
}

/** The batch's envelopes for each recipient whose seqs are known (body base64url once per envelope). */
function handOffs(
  queued: readonly (EnqueueBatch & { seqs: Map<string, number> | undefined })[],
  at: string,
): HandedEnvelope[] {
  const handed: HandedEnvelope[] = [];
  for (const { envelope: e, seqs } of queued) {
    if (!seqs?.size) continue;
    const body = e.body.toString('base64url');
    for (const [deviceId, seq] of seqs)
      handed.push({
        deviceId,
        envelope: { seq, groupId: e.groupId, senderDevice: e.senderDevice, kind: e.kind, body, at },
      });
  }
  return handed;
}

function refusalOf(s: PendingSend, group: SharedGroup | undefined) {
  if (!group?.deviceIds.includes(s.device.deviceId))
    return secureChatError('group_not_found', 'No group with this id of which this device is a member.');
  if (!messageEpochAccepted(group.epoch, s.epoch))
    return secureChatError(
      'mls_stale_epoch',
      `The group is at epoch ${group.epoch}: messages are accepted for it and the one before.`,
      { epoch: group.epoch.toString() },
    );
  return null;
}

const reused = () =>
  secureChatError('client_id_reused', 'This clientId was used for another operation: use a new one.');
