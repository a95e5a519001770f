// The browser driver of the chat SDK: ChatClient (lab/src/chat) over fetch and the browser's WebSocket, as a
// desktop device (DPoP with the official's token), its MLS state and history sealed in IndexedDB.
import { ChatClient } from '../../lab/src/chat/chat-client.ts';
import type { ChatSnapshot } from '../../lab/src/chat/chat-snapshot.ts';
import type { CallSignal } from '../../lab/src/chat/chat-calls.ts';
import type { ChatEvent } from '../../lab/src/chat/chat-types.ts';
import type { DesktopIdentity } from '../../lab/src/chat/desktop-device.ts';
import { loadChat, saveChat, type StoredDevice } from './device-store.ts';

/** What is kept per official and browser: the SDK's snapshot and queue position, and officials' names. */
type Saved = { core: ChatSnapshot; seq: number; names: Record<string, string> };

export type ChatSession = {
  client: ChatClient;
  /** Officials' display names by user id, as far as this browser learnt them. */
  names: Map<string, string>;
  /** Persists the names learnt (the SDK persists its own state after each change). */
  saveNames(): Promise<void>;
};

const KEY_PACKAGES = 20;

export async function openChatSession(
  device: StoredDevice,
  identity: DesktopIdentity,
  accessToken: () => string,
  on: {
    onEvent: (e: ChatEvent) => void;
    onCallSignal: (s: CallSignal) => void;
    onReconnectError: (e: Error) => void;
    onReplaced: () => void;
  },
): Promise<ChatSession> {
  const saved = await loadChat<Saved>(device.userId, device.deviceId);
  const names = new Map(Object.entries(saved?.names ?? {}));
  let last: Omit<Saved, 'names'> | undefined = saved && { core: saved.core, seq: saved.seq };
  const persist = async () => {
    if (last) await saveChat(device.userId, device.deviceId, { ...last, names: Object.fromEntries(names) });
  };
  const client = await ChatClient.open({
    baseUrl: location.origin,
    tls: { certPem: device.certificatePem, keyPem: '', caPems: device.caPems },
    ...(last ? { saved: last } : {}),
    persist: (s) => {
      last = s;
      return persist();
    },
    onEvent: on.onEvent,
    onCallSignal: on.onCallSignal,
    onReconnectError: on.onReconnectError,
    onReplaced: on.onReplaced,
    desktop: { identity, accessToken },
  });
  // A new device publishes KeyPackages (one last-resort) so that others can add it; the server asks for more.
  if (!saved) await client.uploadKeyPackages(KEY_PACKAGES, true);
  await client.start();
  return { client, names, saveNames: persist };
}
