import {
  createApplicationMessage,
  createCommit,
  createGroup,
  defaultCapabilities,
  generateKeyPackageWithKey,
  type CiphersuiteImpl,
  type ClientConfig,
  type Credential,
  type Extension,
  type Proposal,
} from 'ts-mls';
import { CHAT_CIPHERSUITE, externalSenderExtension } from '@pakawaaz/mls';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import { chatAuthenticationService, identityOf, type ChatTrust, type DeviceIdentity } from './chat-auth.js';
import { encodeContent, newMessageId, type ChatBody } from './chat-content.js';
import { ChatHistory } from './chat-history.js';
import { restoreInto, snapshotOf, type ChatSnapshot } from './chat-snapshot.js';
import { diff, keyPackageRef, membersOf, receive } from './chat-receive.js';
import {
  ChatCoreError,
  type ChatCommit,
  type ChatEnvelope,
  type ChatEvent,
  type ChatIntent,
  type CoreContext,
  type GroupEntry,
  type StoredKeyPackage,
} from './chat-types.js';
import { deviceKeyFromPem, type DeviceSigningKey } from './device-key.js';
import {
  b64u,
  chatCiphersuite,
  fromB64u,
  groupInfoOf,
  MLS_LIMITS,
  mlsFromWire,
  mlsToWire,
} from './mls-glue.js';

export type ChatDevice = {
  /** PKCS#8 PEM of the device key (ECDSA P-256): it signs MLS too. */
  keyPem: string;
  /** Instead of `keyPem`: a key that cannot be exported (a desktop's WebCrypto key, see desktopSigningKey). */
  key?: DeviceSigningKey;
  /** DER of the device certificate the device CA issued at enrolment. */
  certificateDer: Uint8Array;
  trust: ChatTrust;
  now?: () => Date;
};

/** RFC 9420 last_resort KeyPackage extension (IANA MLS Extension Types, 0x000A). */
const LAST_RESORT = 0x000a;
const DAY_S = 86_400n;

/**
 * A device's secure-chat state, pure (no I/O): MLS groups on ts-mls, KeyPackages, local history. Each
 * operation returns what to send; `receive` applies what the delivery service delivered.
 */
export class ChatCore implements CoreContext {
  readonly groups = new Map<string, GroupEntry>();
  readonly keyPackages = new Map<string, StoredKeyPackage>();
  history = new ChatHistory();
  readonly config: ClientConfig;
  readonly credential: Credential;
  readonly identity: DeviceIdentity;
  private readonly key: DeviceSigningKey;

  protected constructor(
    readonly cs: CiphersuiteImpl,
    readonly device: ChatDevice,
  ) {
    this.key = device.key ?? deviceKeyFromPem(device.keyPem);
    this.credential = { credentialType: 'x509', certificates: [device.certificateDer] };
    this.config = { ...defaultClientConfig, authService: chatAuthenticationService(device.trust) };
    const id = identityOf(this.credential);
    if (!id) throw new ChatCoreError('chat_credential_refused', 'the device certificate cannot be read');
    this.identity = id;
  }

  /** A device's chat state: new, or restored from `save()`'s snapshot after a restart. */
  static async open(device: ChatDevice, snapshot?: ChatSnapshot): Promise<ChatCore> {
    const core = new ChatCore(await chatCiphersuite(), device);
    if (!(await core.config.authService.validateCredential(core.credential, core.key.publicKey)))
      throw new ChatCoreError('chat_credential_refused', 'the device certificate is not for this key or CA');
    if (snapshot) restoreInto(core, snapshot);
    return core;
  }

  /** What to persist (encrypted) to survive a restart. */
  save(): ChatSnapshot {
    return snapshotOf(this);
  }

  private now = () => BigInt(Math.floor((this.device.now?.() ?? new Date()).getTime() / 1000));

  private async newKeyPackage(lastResort: boolean): Promise<StoredKeyPackage> {
    const caps = defaultCapabilities();
    const extensions: Extension[] = [];
    if (lastResort) {
      caps.extensions = [...caps.extensions, LAST_RESORT];
      extensions.push({ extensionType: LAST_RESORT, extensionData: new Uint8Array() });
    }
    const t = this.now();
    const lifetime = { notBefore: t - 3600n, notAfter: t + 90n * DAY_S };
    const kp = await generateKeyPackageWithKey(
      this.credential,
      caps,
      lifetime,
      extensions,
      this.key,
      this.cs,
    );
    return { ...kp, lastResort };
  }

  /** `n` one-time KeyPackages (and a last-resort one if asked) as base64url MLSMessages to upload. */
  async makeKeyPackages(n: number, lastResort = false): Promise<string[]> {
    if (!Number.isInteger(n) || n < 0 || n + (lastResort ? 1 : 0) > 50)
      throw new RangeError('an upload holds at most 50 KeyPackages');
    const out: string[] = [];
    for (let i = 0; i < n + (lastResort ? 1 : 0); i++) {
      const kp = await this.newKeyPackage(lastResort && i === n);
      this.keyPackages.set(await keyPackageRef(this, kp.publicPackage), kp);
      out.push(mlsToWire({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: kp.publicPackage }));
    }
    return out;
  }

  /** A new group with this device alone at epoch 0, naming the server as external sender. */
  async createGroup(
    externalSender: { signatureKey: Uint8Array },
    groupId: string = b64u(crypto.getRandomValues(new Uint8Array(16))),
  ): Promise<{ groupId: string; groupInfo: string }> {
    if (this.groups.has(groupId)) throw new ChatCoreError('chat_change_pending', 'the group exists already');
    const kp = await this.newKeyPackage(false);
    const ext = externalSenderExtension(externalSender.signatureKey);
    const state = await createGroup(
      fromB64u(groupId),
      kp.publicPackage,
      kp.privatePackage,
      [ext],
      this.cs,
      this.config,
    );
    this.groups.set(groupId, { state });
    return { groupId, groupInfo: mlsToWire(await groupInfoOf(state, this.cs)) };
  }

  private entry(groupId: string): GroupEntry {
    const e = this.groups.get(groupId);
    if (!e) throw new ChatCoreError('chat_unknown_group', 'not a member of this group');
    return e;
  }

  private async commit(groupId: string, intent: ChatIntent, proposals: Proposal[]): Promise<ChatCommit> {
    const entry = this.entry(groupId);
    if (entry.pending)
      throw new ChatCoreError('chat_change_pending', 'confirm or rebase the pending commit first');
    const r = await createCommit(
      { state: entry.state, cipherSuite: this.cs },
      { extraProposals: proposals, wireAsPublicMessage: true, ratchetTreeExtension: true },
    );
    const commit = mlsToWire(r.commit);
    entry.pending = { intent, commit, newState: r.newState };
    entry.lost = undefined;
    const welcome =
      r.welcome && mlsToWire({ version: 'mls10', wireformat: 'mls_welcome', welcome: r.welcome });
    return {
      groupId,
      epoch: entry.state.groupContext.epoch,
      commit,
      groupInfo: mlsToWire(await groupInfoOf(r.newState, this.cs)),
      ...(welcome ? { welcome } : {}),
    };
  }

  /** Adds devices by their KeyPackages (fetched from the server); each must carry a trusted credential. */
  async add(groupId: string, keyPackages: readonly string[]): Promise<ChatCommit> {
    const proposals: Proposal[] = [];
    for (const text of keyPackages) {
      const m = mlsFromWire(text, MLS_LIMITS.keyPackage);
      if (m.wireformat !== 'mls_key_package') throw new ChatCoreError('chat_unsupported', 'not a KeyPackage');
      const kp = m.keyPackage;
      if (kp.cipherSuite !== CHAT_CIPHERSUITE)
        throw new ChatCoreError('chat_unsupported', `the KeyPackage is for ${kp.cipherSuite}`);
      if (
        !(await this.config.authService.validateCredential(
          kp.leafNode.credential,
          kp.leafNode.signaturePublicKey,
        ))
      )
        throw new ChatCoreError(
          'chat_credential_refused',
          'a KeyPackage credential is not a device certificate of ours',
        );
      proposals.push({ proposalType: 'add', add: { keyPackage: kp } });
    }
    if (proposals.length === 0) throw new RangeError('add at least one KeyPackage');
    return this.commit(groupId, { kind: 'add', keyPackages: [...keyPackages] }, proposals);
  }

  /** Removes devices (by device id) from a group. */
  async remove(groupId: string, deviceIds: readonly string[]): Promise<ChatCommit> {
    const state = this.entry(groupId).state;
    const leaves = [...membersOf(state)].filter(
      ([leaf, id]) => deviceIds.includes(id.deviceId) && leaf !== state.privatePath.leafIndex,
    );
    if (leaves.length === 0)
      throw new ChatCoreError('chat_not_member', 'none of these devices is in the group');
    const proposals: Proposal[] = leaves.map(([removed]) => ({
      proposalType: 'remove',
      remove: { removed },
    }));
    return this.commit(groupId, { kind: 'remove', deviceIds: [...deviceIds] }, proposals);
  }

  /** Commits the proposals received (the server's external Remove): null when there is nothing to commit. */
  async commitPending(groupId: string): Promise<ChatCommit | null> {
    const state = this.entry(groupId).state;
    const proposals = Object.values(state.unappliedProposals);
    if (proposals.length === 0) return null;
    // A member cannot commit its own removal (RFC 9420 §12.2): another member will.
    const self = state.privatePath.leafIndex;
    if (proposals.some((p) => p.proposal.proposalType === 'remove' && p.proposal.remove.removed === self))
      return null;
    return this.commit(groupId, { kind: 'commit-pending' }, []);
  }

  /** A commit with a fresh path (new leaf HPKE key): post-compromise security, and a timer's empty commit. */
  update(groupId: string): Promise<ChatCommit> {
    return this.commit(groupId, { kind: 'update' }, []);
  }

  /** The server accepted the pending commit: move to its epoch. */
  confirm(groupId: string): ChatEvent[] {
    const entry = this.entry(groupId);
    if (!entry.pending) return [];
    const before = entry.state;
    entry.state = entry.pending.newState;
    entry.pending = undefined;
    return [diff(groupId, before, entry.state)];
  }

  /** The server refused the pending commit for good: forget it and the change it made. */
  abandon(groupId: string): void {
    const entry = this.entry(groupId);
    entry.pending = undefined;
    entry.lost = undefined;
  }

  /**
   * After `409 mls_stale_epoch`: drops the refused commit, applies the missed messages in order, then rebuilds
   * the same change on the new epoch (null when nothing is left to do, e.g. another member committed it).
   */
  async rebase(
    groupId: string,
    missed: readonly ChatEnvelope[],
  ): Promise<{ events: ChatEvent[]; commit: ChatCommit | null }> {
    const entry = this.entry(groupId);
    let intent = entry.pending?.intent ?? entry.lost;
    entry.pending = undefined;
    const events: ChatEvent[] = [];
    for (const env of missed) events.push(...(await receive(this, env)));
    intent = entry.lost ?? intent;
    entry.lost = undefined;
    if (!intent || !this.groups.has(groupId)) return { events, commit: null };
    const members = new Set([...membersOf(entry.state).values()].map((i) => i.deviceId));
    if (intent.kind === 'remove') {
      const still = intent.deviceIds.filter((d) => members.has(d));
      return { events, commit: still.length ? await this.remove(groupId, still) : null };
    }
    if (intent.kind === 'add') return { events, commit: await this.add(groupId, intent.keyPackages) };
    if (intent.kind === 'update') return { events, commit: await this.update(groupId) };
    return { events, commit: await this.commitPending(groupId) };
  }

  /** Encrypts a text, file reference, receipt or typing indicator for the group's current epoch. */
  async send(
    groupId: string,
    body: ChatBody,
    id = newMessageId(),
  ): Promise<{ groupId: string; id: string; epoch: bigint; message: string }> {
    const entry = this.entry(groupId);
    const sentAt = (this.device.now?.() ?? new Date()).getTime();
    const bytes = encodeContent(body, id, sentAt);
    const r = await createApplicationMessage(entry.state, bytes, this.cs);
    entry.state = r.newState;
    if (body.type === 'text' || body.type === 'file') {
      const file = body.type === 'file' ? body.file : undefined;
      const text = body.type === 'text' ? body.text : (body.caption ?? '');
      const me = this.identity;
      this.history.add({
        groupId,
        id,
        fromDevice: me.deviceId,
        fromUser: me.userId,
        sentAt,
        text,
        ...(file ? { file } : {}),
        own: true,
      });
    }
    const message = mlsToWire({
      version: 'mls10',
      wireformat: 'mls_private_message',
      privateMessage: r.privateMessage,
    });
    return { groupId, id, epoch: entry.state.groupContext.epoch, message };
  }

  receive(env: ChatEnvelope): Promise<ChatEvent[]> {
    return receive(this, env);
  }

  members(groupId: string): DeviceIdentity[] {
    return [...membersOf(this.entry(groupId).state).values()];
  }

  epoch(groupId: string): bigint {
    return this.entry(groupId).state.groupContext.epoch;
  }
}
