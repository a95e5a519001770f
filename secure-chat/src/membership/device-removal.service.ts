import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '@pakawaaz/platform';
import { externalRemove } from '@pakawaaz/mls';
import { CHAT_EXTERNAL_SENDER, CHAT_WAKE, type ChatExternalSender, type ChatWake } from '../chat-ports.js';
import { DeliveryRepository } from '../delivery/delivery.repository.js';
import { KeyPackagesRepository } from '../key-packages/key-packages.repository.js';
import { RemovalsRepository } from './removals.repository.js';
import type { RemovalReason } from './removals.schema.js';

export type Removal = { deviceId: string; groups: number };

/**
 * Revocation is membership: a device that is wiped, lost, retired (its certificates revoked) or whose official
 * is disabled leaves every group. In one transaction per device, under each group's row lock: the device is
 * recorded as removed, the server — the groups' external sender — proposes its Remove for the group's current
 * epoch to every other member device (signed through the key service), and the device is dropped from the
 * member lists with its queue and KeyPackages. Delivery to it stops at once; the next commit of any member
 * must carry the Remove (a tree that still holds a removed device is refused, 409 mls_member_removed), after
 * which the device holds no key of the group.
 */
@Injectable()
export class DeviceRemovalService {
  constructor(
    private readonly removals: RemovalsRepository,
    private readonly delivery: DeliveryRepository,
    private readonly keyPackages: KeyPackagesRepository,
    @Inject(CHAT_EXTERNAL_SENDER) private readonly sender: ChatExternalSender,
    @Inject(CHAT_WAKE) private readonly wake: ChatWake,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Takes one device out of chat (internal: called for device management's and identity's events). */
  async removeDevice(deviceId: string, userId: string | null, reason: RemovalReason): Promise<Removal> {
    const { woken, groups } = await this.removals.db.transaction(async (tx) => {
      // Before the record and the read of its groups: a commit adding the device meanwhile (another group) has
      // ended, so the device is a member there and gets its Remove; one after it finds the device removed.
      await this.removals.lockDevice(deviceId, tx);
      await this.removals.record(deviceId, userId, reason, tx);
      const groups = await this.removals.groupsOf(deviceId, tx); // in id order
      // Every group's row first (in id order), then the queues in one pass: a commit or a message in one of
      // these groups takes its group before any queue, so neither can wait on the other in a cycle.
      const locked = [];
      for (const groupId of groups) locked.push(await this.delivery.lockGroup(groupId, tx));
      const batches: Parameters<DeliveryRepository['enqueueAll']>[0][number][] = [];
      for (const [i, groupId] of groups.entries()) {
        const group = locked[i];
        const members = await this.delivery.members(groupId, tx);
        const leaf = members.find((m) => m.deviceId === deviceId);
        const others = [...new Set(members.filter((m) => m.deviceId !== deviceId).map((m) => m.deviceId))];
        if (!group || !leaf || others.length === 0) continue;
        const proposal = await externalRemove(new Uint8Array(group.groupInfo), leaf.leafIndex, {
          publicKey: this.sender.signatureKey,
          signEs256: (data) => this.sender.signEs256(data),
        });
        // Kept for this epoch: a member's commit names it by reference, which the server must resolve.
        await this.removals.recordProposal(groupId, group.epoch, proposal, tx);
        batches.push({
          deviceIds: others,
          envelope: { groupId, senderDevice: null, kind: 'proposal', body: Buffer.from(proposal) },
        });
      }
      await this.delivery.enqueueAll(batches, tx);
      const woken = batches.flatMap((b) => b.deviceIds);
      await this.keyPackages.deleteForDevices([deviceId], tx);
      await this.delivery.dropDevice(deviceId, tx);
      return { woken, groups };
    });
    if (woken.length) this.wake.queued([...new Set(woken)]);
    this.wake.removed(deviceId);
    if (groups.length)
      this.logger.info({ deviceId, reason, groups: groups.length }, 'device removed from its chat groups');
    return { deviceId, groups: groups.length };
  }

  /**
   * An official disabled: recorded by id first, so chat refuses every device of theirs — one it never knew too
   * (no group, no KeyPackage: its certificate stays valid at device management) — as caller and as a leaf of
   * any commit; then each device chat knows of leaves its groups. A commit adding one of their devices either
   * ended before the record (the device is then a member, found here) or finds the official disabled.
   */
  async removeOfficial(userId: string): Promise<Removal[]> {
    await this.removals.db.transaction((tx) => this.removals.recordDisabled(userId, tx));
    const out: Removal[] = [];
    for (const deviceId of await this.removals.devicesOfUser(userId))
      out.push(await this.removeDevice(deviceId, userId, 'user_disabled'));
    return out;
  }

  /** The official is enabled again: their devices may publish KeyPackages and be added to groups anew. */
  liftOfficial(userId: string): Promise<number> {
    return this.removals.liftUserDisabled(userId);
  }
}
