import type { ClientConfig, ClientState, CiphersuiteImpl, KeyPackage, PrivateKeyPackage } from 'ts-mls';
import type { DeviceIdentity } from './chat-auth.js';
import type { ChatFileRef } from './chat-content.js';
import type { ChatHistory } from './chat-history.js';

/** What the delivery service hands a device (docs/secure-chat.md): one MLS message and its kind. */
export type ChatEnvelope = {
  kind: 'welcome' | 'commit' | 'application' | 'proposal';
  /** base64url MLS group id; absent on a Welcome (the device learns it by joining). */
  groupId?: string;
  /** base64url MLSMessage. */
  message: string;
};

/** A handshake change to register at the server: made in `epoch`, with the next epoch's GroupInfo. */
export type ChatCommit = {
  groupId: string;
  epoch: bigint;
  commit: string;
  groupInfo: string;
  welcome?: string;
};

export type IgnoredReason =
  | 'stale'
  | 'future-epoch'
  | 'unknown-group'
  | 'unknown-key-package'
  | 'already-joined'
  | 'own-message'
  | 'undecryptable'
  | 'malformed'
  | 'refused';

export type ChatEvent =
  | {
      type: 'message';
      groupId: string;
      id: string;
      from: DeviceIdentity;
      sentAt: number;
      text?: string;
      file?: ChatFileRef;
    }
  | { type: 'receipt'; groupId: string; from: DeviceIdentity; status: 'delivered' | 'read'; ids: string[] }
  | { type: 'typing'; groupId: string; from: DeviceIdentity; active: boolean }
  | { type: 'joined'; groupId: string; epoch: bigint; members: DeviceIdentity[] }
  | {
      type: 'members-changed';
      groupId: string;
      epoch: bigint;
      added: DeviceIdentity[];
      removed: DeviceIdentity[];
    }
  | { type: 'removed'; groupId: string }
  | { type: 'proposals-pending'; groupId: string; removes: DeviceIdentity[] }
  | { type: 'ignored'; groupId: string | null; reason: IgnoredReason; detail: string };

/** The change a pending commit makes, kept so it can be rebuilt on a newer epoch. */
export type ChatIntent =
  | { kind: 'add'; keyPackages: string[] }
  | { kind: 'remove'; deviceIds: string[] }
  | { kind: 'commit-pending' }
  | { kind: 'update' };

export type PendingCommit = { intent: ChatIntent; commit: string; newState: ClientState };
export type GroupEntry = { state: ClientState; pending?: PendingCommit; lost?: ChatIntent };
export type StoredKeyPackage = {
  publicPackage: KeyPackage;
  privatePackage: PrivateKeyPackage;
  lastResort: boolean;
};

/** What the receive path needs of a core (the core implements it). */
export type CoreContext = {
  readonly cs: CiphersuiteImpl;
  readonly config: ClientConfig;
  readonly groups: Map<string, GroupEntry>;
  readonly keyPackages: Map<string, StoredKeyPackage>;
  history: ChatHistory;
};

export class ChatCoreError extends Error {
  constructor(
    readonly code:
      | 'chat_unknown_group'
      | 'chat_change_pending'
      | 'chat_not_member'
      | 'chat_credential_refused'
      | 'chat_unsupported'
      | 'chat_snapshot_invalid',
    message: string,
  ) {
    super(message);
  }
}
