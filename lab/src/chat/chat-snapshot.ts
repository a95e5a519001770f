import { decodeGroupState, encodeGroupState, type ClientConfig, type ClientState } from 'ts-mls';
import { decodeKeyPackage, encodeKeyPackage } from 'ts-mls/keyPackage.js';
import { ChatHistory, type HistoryEntry } from './chat-history.js';
import { ChatCoreError, type ChatIntent, type CoreContext } from './chat-types.js';
import { b64u, fromB64u } from './mls-glue.js';

/**
 * Everything a device needs to continue after a restart, JSON-safe. It holds private keys (MLS epoch secrets,
 * HPKE keys, the device signing scalar inside each group state): store it encrypted under a key the platform
 * keystore protects, never on the server.
 */
export type ChatSnapshot = {
  v: 1;
  deviceId: string;
  groups: {
    groupId: string;
    state: string;
    pending?: { intent: ChatIntent; commit: string; state: string };
    lost?: ChatIntent;
  }[];
  keyPackages: {
    ref: string;
    keyPackage: string;
    init: string;
    hpke: string;
    sign: string;
    lastResort: boolean;
  }[];
  history: HistoryEntry[];
};

export function snapshotOf(core: CoreContext & { identity: { deviceId: string } }): ChatSnapshot {
  return {
    v: 1,
    deviceId: core.identity.deviceId,
    groups: [...core.groups].map(([groupId, g]) => ({
      groupId,
      state: b64u(encodeGroupState(g.state)),
      ...(g.pending
        ? {
            pending: {
              intent: g.pending.intent,
              commit: g.pending.commit,
              state: b64u(encodeGroupState(g.pending.newState)),
            },
          }
        : {}),
      ...(g.lost ? { lost: g.lost } : {}),
    })),
    keyPackages: [...core.keyPackages].map(([ref, k]) => ({
      ref,
      keyPackage: b64u(encodeKeyPackage(k.publicPackage)),
      init: b64u(k.privatePackage.initPrivateKey),
      hpke: b64u(k.privatePackage.hpkePrivateKey),
      sign: b64u(k.privatePackage.signaturePrivateKey),
      lastResort: k.lastResort,
    })),
    history: core.history.toJSON(),
  };
}

function decodeState(text: string, config: ClientConfig): ClientState {
  const bytes = fromB64u(text);
  const d = decodeGroupState(bytes, 0);
  if (!d || d[1] !== bytes.length)
    throw new ChatCoreError('chat_snapshot_invalid', 'a group state does not decode');
  return { ...d[0], clientConfig: config };
}

/** Loads a snapshot into an empty core of the same device. */
export function restoreInto(
  core: CoreContext & { identity: { deviceId: string }; history: ChatHistory },
  s: ChatSnapshot,
): void {
  if (s?.v !== 1) throw new ChatCoreError('chat_snapshot_invalid', 'unknown snapshot version');
  if (s.deviceId !== core.identity.deviceId)
    throw new ChatCoreError('chat_snapshot_invalid', 'the snapshot belongs to another device');
  for (const g of s.groups) {
    core.groups.set(g.groupId, {
      state: decodeState(g.state, core.config),
      ...(g.pending
        ? {
            pending: {
              intent: g.pending.intent,
              commit: g.pending.commit,
              newState: decodeState(g.pending.state, core.config),
            },
          }
        : {}),
      ...(g.lost ? { lost: g.lost } : {}),
    });
  }
  for (const k of s.keyPackages) {
    const bytes = fromB64u(k.keyPackage);
    const kp = decodeKeyPackage(bytes, 0);
    if (!kp) throw new ChatCoreError('chat_snapshot_invalid', 'a KeyPackage does not decode');
    core.keyPackages.set(k.ref, {
      publicPackage: kp[0],
      privatePackage: {
        initPrivateKey: fromB64u(k.init),
        hpkePrivateKey: fromB64u(k.hpke),
        signaturePrivateKey: fromB64u(k.sign),
      },
      lastResort: k.lastResort,
    });
  }
  core.history = ChatHistory.fromJSON(s.history);
}
