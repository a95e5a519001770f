import { Inject, Injectable, Optional } from '@nestjs/common';
import type { DevicePrincipal } from '@pakawaaz/platform';
import { externalRemove } from '@pakawaaz/mls';
import { CHAT_EXTERNAL_SENDER, CHAT_WAKE, type ChatExternalSender, type ChatWake } from '../chat-ports.js';
import { DeliveryRepository } from '../delivery/delivery.repository.js';
import { DroppedMembers } from '../groups/dropped-members.js';
import { secureChatError } from '../secure-chat.errors.js';
import { DeparturesRepository } from './departures.repository.js';
import { leaveResult, planLeave, type LeaveResult } from './leave-plan.js';
import { RemovalsRepository } from './removals.repository.js';

const notFound = () =>
  secureChatError('group_not_found', 'No group with this id of which this device is a member.');

/**
 * An official leaves a group (a member cannot remove itself in MLS: RFC 9420 §12.4). As for a revoked device,
 * the server — the group's external sender — proposes the Remove of every leaf of the official's devices for
 * the group's current epoch, keeps the proposals for the commit that names them, queues them to the other
 * members and drops the official's devices from the member list: all in one transaction under the group's row
 * lock, so nothing sent to the group after the leave reaches them. A member's next commit must carry the
 * Removes (409 mls_member_removed until it does). The official's other devices get the proposals too: each
 * reads the Remove of its own leaf and forgets the group. Leaving again gets the same answer and proposes
 * nothing.
 */
@Injectable()
export class GroupLeaveService {
  constructor(
    private readonly delivery: DeliveryRepository,
    private readonly removals: RemovalsRepository,
    private readonly departures: DeparturesRepository,
    @Inject(CHAT_EXTERNAL_SENDER) private readonly sender: ChatExternalSender,
    @Inject(CHAT_WAKE) private readonly wake: ChatWake,
    // Kicks the devices from the group's live call (bound in SecureChatModule; a test may leave it out).
    @Optional() private readonly droppedMembers?: DroppedMembers,
  ) {}

  async leave(device: DevicePrincipal, groupId: string): Promise<LeaveResult> {
    await this.requireMemberOrDeparted(device, groupId);
    const { result, notify, left } = await this.delivery.db.transaction(async (tx) => {
      const group = await this.delivery.lockGroup(groupId, tx);
      if (!group) throw notFound();
      const members = await this.delivery.members(groupId, tx);
      if (!members.some((m) => m.deviceId === device.deviceId)) {
        // Left before (the check above saw it; under the lock again): the same answer, nothing proposed.
        if (!(await this.departures.departed(groupId, device.deviceId, tx))) throw notFound();
        const devices = await this.departures.ofOfficial(groupId, device.userId, tx);
        return { result: leaveResult(groupId, devices, members.length === 0), notify: [], left: [] };
      }
      // The official as the group records the caller's leaf (its device's official when it was added): the
      // caller always leaves, with every other device recorded for that official.
      const official = members.find((m) => m.deviceId === device.deviceId)!.userId;
      const plan = planLeave(members, official, device.deviceId);
      // The other members commit the Removes; the official's other devices read their own and forget the group.
      const told = [...plan.notify, ...plan.siblings];
      const batches = [];
      for (const leaf of told.length > 0 ? plan.leaving : []) {
        const proposal = await externalRemove(new Uint8Array(group.groupInfo), leaf.leafIndex, {
          publicKey: this.sender.signatureKey,
          signEs256: (data) => this.sender.signEs256(data),
        });
        // Kept for this epoch: a member's commit names it by reference, which the server must resolve (nobody
        // is left to commit when the group closes).
        if (!plan.closed) await this.removals.recordProposal(groupId, group.epoch, proposal, tx);
        const body = Buffer.from(proposal);
        batches.push({
          deviceIds: told,
          envelope: { groupId, senderDevice: null, kind: 'proposal' as const, body },
        });
      }
      await this.departures.record(groupId, group.epoch, plan.leaving, plan.closed, tx);
      // Closed: nobody is left to commit the Removes of those who left before either (their rows settle too).
      if (plan.closed) await this.departures.settle(groupId, [], tx);
      const left = plan.leaving.map((l) => l.deviceId);
      await this.departures.dropMembers(groupId, left, tx);
      await this.delivery.enqueueAll(batches, tx);
      const devices = await this.departures.ofOfficial(groupId, official, tx);
      return { result: leaveResult(groupId, devices, plan.closed), notify: told, left };
    });
    if (notify.length) this.wake.queued(notify);
    // The devices leave the group's live call too (after the commit, like the wake).
    if (left.length) this.droppedMembers?.dropped(groupId, left);
    return result;
  }

  /** Authorization: the calling device is a member of the group, or left it (a repeated leave). */
  private async requireMemberOrDeparted(device: DevicePrincipal, groupId: string): Promise<void> {
    const members = await this.delivery.members(groupId);
    if (members.some((m) => m.deviceId === device.deviceId)) return;
    if (!(await this.departures.departed(groupId, device.deviceId))) throw notFound();
  }
}
