import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  AppError,
  DEVICE_AUTHENTICATOR,
  type DeviceAuthenticator,
  type DevicePrincipal,
} from '@pakawaaz/platform';
import {
  CHAT_DIRECTORY,
  CHAT_EXTERNAL_SENDER,
  CHAT_WAKE,
  type ChatDirectory,
  type ChatExternalSender,
  type ChatWake,
} from '../chat-ports.js';
import { DeliveryRepository } from '../delivery/delivery.repository.js';
import { b64u } from '../mls/bytes.js';
import { readGroupInfo } from '../mls/mls-facts.js';
import { mlsInput } from '../mls/mls-input.js';
import { mayReach } from '../bots/bot-directory.js';
import { secureChatError } from '../secure-chat.errors.js';
import { checkedCommit, type NextEpoch } from './checked-commit.js';
import {
  readCommitInput,
  replay,
  requireExternalSender,
  type CommitInput,
  type CommitResult,
} from './commit-input.js';
import { CommitsInFlight } from './commits-in-flight.js';
import { notHandedOut, precheckCommitAdds } from './commit-adds-precheck.js';
import { COMMIT_CHECKER, inlineCommitChecker, type CommitChecker } from './commit-checker.js';
import { planCommit, type LeafDevice } from './commit-plan.js';
import { DroppedMembers } from './dropped-members.js';
import { leafDevices } from './leaf-devices.js';
import { RemovalsRepository } from '../membership/removals.repository.js';
import { DeparturesRepository } from '../membership/departures.repository.js';
import { KeyPackagesRepository } from '../key-packages/key-packages.repository.js';
import { ChatPolicyEnforcer } from '../policy/chat-policy.enforcer.js';

/**
 * Groups at the delivery service: registration with the epoch-0 GroupInfo, and the ordering of handshake
 * messages — one commit per epoch, under a row lock on the group, so of concurrent commits exactly one wins and
 * the others are told the epoch to rebase on (409 mls_stale_epoch).
 */
@Injectable()
export class GroupsService {
  constructor(
    private readonly repo: DeliveryRepository,
    @Inject(CHAT_DIRECTORY) private readonly directory: ChatDirectory,
    @Inject(CHAT_EXTERNAL_SENDER) private readonly externalSender: Pick<ChatExternalSender, 'signatureKey'>,
    @Inject(CHAT_WAKE) private readonly wake: ChatWake,
    @Optional() @Inject(DEVICE_AUTHENTICATOR) private readonly devices?: DeviceAuthenticator | null,
    // Devices taken out of chat (bound in SecureChatModule; a test of ordering alone may leave it out).
    @Optional() private readonly removals?: RemovalsRepository,
    // Chat policies and legal hold (bound in SecureChatModule; a test of ordering alone may leave it out).
    @Optional() private readonly policy?: ChatPolicyEnforcer,
    // Tells the calls module whom a commit dropped (bound in SecureChatModule; optional likewise).
    @Optional() private readonly droppedMembers?: DroppedMembers,
    // Commits are checked on worker threads in the server (bound in SecureChatModule); inline in tests.
    @Optional() @Inject(COMMIT_CHECKER) checker?: CommitChecker | null,
    // The KeyPackages handed out, which alone a commit may add (bound in SecureChatModule; optional likewise).
    @Optional() private readonly claims?: KeyPackagesRepository,
    // Devices whose official left a group (bound in SecureChatModule; optional likewise).
    @Optional() private readonly departures?: DeparturesRepository,
  ) {
    this.checker = checker ?? inlineCommitChecker;
  }

  private readonly checker: CommitChecker;

  /** A new group: epoch 0, the server's external sender listed, the calling device its only member. */
  async register(device: DevicePrincipal, groupInfo: Uint8Array): Promise<CommitResult> {
    const notAlone = () =>
      secureChatError(
        'mls_credential_refused',
        'A new group has one member: the calling device, with its own device certificate.',
      );
    // A tree of one leaf, counted as it is decoded — before it is hashed or a leaf's signature checked on the
    // main loop (a GroupInfo of up to 1 MiB and 2,048 leaves would be), and before device management is asked.
    const info = await mlsInput(() => readGroupInfo(groupInfo, 1), 'groupInfo').catch((err: unknown) => {
      throw err instanceof AppError && err.code === 'mls_commit_mismatch' ? notAlone() : err;
    });
    if (info.epoch !== 0n)
      throw secureChatError('mls_wrong_group', 'Register a group with its epoch-0 GroupInfo.');
    requireExternalSender(info, this.externalSender.signatureKey);
    if (info.members.length !== 1) throw notAlone();
    const leaves = await leafDevices(this.devices, info.members);
    if (leaves[0]!.deviceId !== device.deviceId) throw notAlone();
    const groupId = b64u(info.groupId);
    await this.repo.db.transaction(async (tx) => {
      // As a commit adding the device: a removal or disabling in flight is waited for, then seen.
      await this.removals?.lockJoining([device], tx);
      if ((await this.removals?.refusedAmong([device], tx))?.size)
        throw secureChatError('device_removed_from_chat', 'This device was taken out of chat.');
      const fresh = await this.repo.insertGroup(
        { groupId, epoch: 0n, groupInfo: Buffer.from(groupInfo), createdBy: device.deviceId },
        tx,
      );
      if (!fresh) throw secureChatError('group_exists', 'A group with this id is already registered.');
      await this.repo.replaceMembers(groupId, [leaves[0]!], tx);
    });
    return { groupId, epoch: '0' };
  }

  /** The latest GroupInfo of a group the calling device is a member of (what a rebase or a rejoin starts from). */
  async groupInfo(device: DevicePrincipal, groupId: string): Promise<{ epoch: string; groupInfo: string }> {
    const group = await this.repo.group(groupId);
    const members = group ? await this.repo.members(groupId) : [];
    if (!group || !members.some((m) => m.deviceId === device.deviceId))
      throw secureChatError('group_not_found', 'No group with this id of which this device is a member.');
    return { epoch: group.epoch.toString(), groupInfo: group.groupInfo.toString('base64url') };
  }

  /**
   * A commit for the group's current epoch, with the next epoch's GroupInfo (and a Welcome when it adds
   * devices). Idempotent per (device, clientId): a retry gets the first answer.
   */
  commit(device: DevicePrincipal, groupId: string, input: CommitInput): Promise<CommitResult> {
    return this.inFlight.one(device.deviceId, `${groupId} ${input.clientId}`, () =>
      this.commitOne(device, groupId, input),
    );
  }

  private readonly inFlight = new CommitsInFlight();

  private async commitOne(
    device: DevicePrincipal,
    groupId: string,
    input: CommitInput,
  ): Promise<CommitResult> {
    const { msg, senderLeaf, welcome } = await readCommitInput(groupId, input);
    // Checked against the current epoch off the loop and before the group's lock (never under it: a lock and a
    // connection held while the workers are busy); if the group moved meanwhile, the commit is stale.
    const early = await this.nextEpoch(device.deviceId, groupId, msg.epoch, input);

    const { result, wake, dropped } = await this.repo.db.transaction(async (tx) => {
      // The devices the commit adds, and their officials, locked (shared) before the group: a removal of one of
      // them waits for this commit or this commit for it, and then sees it (RemovalsRepository.lockDevice).
      await this.removals?.lockJoining(early?.joining ?? [], tx);
      // The group's row before the (device, clientId) row, the order a send batch takes them in (its share
      // lock, then its idempotency row): the other order deadlocks a commit and a send reusing one clientId.
      const group = await this.repo.lockGroup(groupId, tx);
      const previous = await this.repo.previousSend(device.deviceId, input.clientId, tx);
      if (previous) return { result: replay(previous, 'commit', groupId), wake: [] as string[], dropped: [] };
      const members = group ? await this.repo.members(groupId, tx) : [];
      if (!group || !members.some((m) => m.deviceId === device.deviceId))
        throw secureChatError('group_not_found', 'No group with this id of which this device is a member.');
      // A PublicMessage names its sender's leaf: it must be the calling device's.
      if (
        msg.epoch === group.epoch &&
        members.find((m) => m.leafIndex === senderLeaf)?.deviceId !== device.deviceId
      )
        throw secureChatError('not_a_member', "commit: its sender leaf is not the calling device's.");
      if (msg.epoch !== group.epoch)
        throw secureChatError(
          'mls_stale_epoch',
          `The group is at epoch ${group.epoch}: fetch the inbox, process it, rebase the commit and retry.`,
          { epoch: group.epoch.toString() },
        );
      // Not checked before (the group was elsewhere then, or the caller no member): retry from the inbox.
      if (!early)
        throw secureChatError('mls_stale_epoch', `The group moved: fetch the inbox and retry the commit.`, {
          epoch: group.epoch.toString(),
        });
      const { info, leaves } = early;
      // The Welcome goes to the devices the commit adds: it must be addressed to each added KeyPackage.
      const addressed = new Set(welcome?.keyPackageRefs.map(b64u));
      if (welcome && !info.addedKeyPackageRefs.every((ref) => addressed.has(b64u(ref))))
        throw secureChatError(
          'mls_commit_mismatch',
          'welcome: it is not addressed to every KeyPackage the commit adds.',
        );
      const adds = info.addedKeyPackageRefs.map(b64u);
      const claimed = await this.claims?.takeClaimed(adds, device.deviceId, new Date(), tx);
      if (claimed && adds.some((ref) => !claimed.has(ref))) throw notHandedOut();
      const committerLeaf = leaves.find((l) => l.leafIndex === info.committerLeaf);
      // A committer does not remove itself (RFC 9420 §12.4), nor does its leaf change hands.
      if (committerLeaf?.deviceId !== device.deviceId)
        throw secureChatError('not_a_member', 'groupInfo: the committing device is not in the new tree.');
      // Under the group's lock, so a removal (which locks it too) is either seen here or proposed after; a
      // device the commit adds, under its own lock above. A disabled official's devices are all refused.
      const inTree = leaves.map((l) => l.deviceId);
      const removed = await this.removals?.refusedAmong(leaves, tx);
      const left = await this.departures?.pendingAmong(groupId, inTree, tx);
      const stale = leaves.find((l) => removed?.has(l.deviceId) || left?.has(l.deviceId));
      if (stale)
        throw secureChatError(
          'mls_member_removed',
          `Leaf ${stale.leafIndex} is a device taken out of chat or whose official left the group: fetch the inbox and commit the server's Remove proposal with your change.`,
          { leafIndex: stale.leafIndex },
        );
      const plan = planCommit(members, leaves, device.deviceId, info.addedLeaves);
      if (plan.duplicateDevice)
        throw secureChatError('mls_credential_refused', 'groupInfo: one device sits on two leaves.');
      for (const o of plan.joiningOfficials)
        // In the transaction: on the embedded database a query outside it would wait for it for ever.
        if (!(await mayReach(this.directory, device.institutionId, o, tx)))
          throw secureChatError('official_not_found', 'The commit adds an official you may not see.');
      await this.policy?.requireCommit(
        device.institutionId,
        leaves.map((l) => l.institutionId),
        plan.joiningOfficials.map((o) => o.institutionId),
        tx,
      );
      if ((plan.welcomeTo.length > 0 || info.addedLeaves.length > 0) && !welcome)
        throw secureChatError('invalid_chat_input', 'welcome: the commit adds devices; send their Welcome.');
      await this.repo.advanceGroup(groupId, info.epoch, Buffer.from(input.groupInfo), tx);
      await this.departures?.settle(groupId, inTree, tx);
      await this.repo.replaceMembers(groupId, leaves, tx);
      const sender = device.deviceId;
      // The commit to the previous members and the Welcome to the new ones: one pass over the queues.
      await this.repo.enqueueAll(
        [
          {
            deviceIds: plan.commitTo,
            envelope: { groupId, senderDevice: sender, kind: 'commit', body: Buffer.from(input.commit) },
          },
          ...(welcome && input.welcome
            ? [
                {
                  deviceIds: plan.welcomeTo,
                  envelope: {
                    groupId,
                    senderDevice: sender,
                    kind: 'welcome' as const,
                    body: Buffer.from(input.welcome),
                  },
                },
              ]
            : []),
        ],
        tx,
      );
      const result: CommitResult = { groupId, epoch: info.epoch.toString() };
      await this.repo.recordSend(sender, input.clientId, { op: 'commit', ...result }, tx);
      const to = [...plan.commitTo, ...plan.welcomeTo];
      await this.policy?.recordSend(
        device,
        { groupId, kind: 'commit', sizeBytes: input.commit.length, recipients: new Set(to).size },
        tx,
      );
      const kept = new Set(leaves.map((l) => l.deviceId));
      return {
        result,
        wake: to,
        dropped: members.filter((m) => !kept.has(m.deviceId)).map((m) => m.deviceId),
      };
    });
    if (wake.length) this.wake.queued(wake);
    // Devices the new tree left out leave the group's live call too (after the commit, like the wake).
    if (dropped.length) this.droppedMembers?.dropped(groupId, dropped);
    return result;
  }

  /**
   * The next epoch as the commit makes it of the group's current one (its stored GroupInfo and the server's
   * proposals of that epoch), checked on the worker threads, with every leaf's device. Undefined when the group
   * is not (or no longer) at the commit's epoch, or the caller is no member: the transaction then says why.
   */
  private async nextEpoch(
    deviceId: string,
    groupId: string,
    epoch: bigint,
    input: CommitInput,
  ): Promise<{ info: NextEpoch; leaves: LeafDevice[]; joining: LeafDevice[] } | undefined> {
    const group = await this.repo.group(groupId);
    if (!group || group.epoch !== epoch) return undefined;
    // A device that is no member learns nothing of the group from the checks' answers.
    const members = await this.repo.members(groupId);
    if (!members.some((m) => m.deviceId === deviceId)) return undefined;
    // Read-only and cheap, before any worker time: Adds that could never pass the claims check.
    await precheckCommitAdds(input.commit, members.length, deviceId, this.claims, new Date());
    const proposals = (await this.removals?.proposalsOf(groupId, epoch)) ?? [];
    const info = await checkedCommit(this.checker, {
      previous: new Uint8Array(group.groupInfo),
      commit: input.commit,
      groupInfo: input.groupInfo,
      proposals,
    });
    requireExternalSender(info, this.externalSender.signatureKey);
    const leaves = await leafDevices(this.devices, info.members);
    const before = new Set(members.map((m) => m.deviceId));
    return { info, leaves, joining: leaves.filter((l) => !before.has(l.deviceId)) };
  }
}
