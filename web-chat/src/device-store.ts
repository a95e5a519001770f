// The browser's desktop device and its chat state, kept in IndexedDB: the CryptoKeys are stored as they are
// (structured clone), so their private halves stay non-extractable; the certificate is public; the chat state
// (MLS epoch secrets, history) is stored sealed under a non-extractable AES-GCM key.
export type StoredDevice = {
  userId: string;
  deviceId: string;
  keys: CryptoKeyPair;
  certificatePem: string;
  caPems: string[];
};

/** The sealed chat state of one official's device: what ChatClient persisted, and the names it learnt. */
export type SealedChat = {
  deviceId: string;
  iv: Uint8Array<ArrayBuffer>;
  data: Uint8Array<ArrayBuffer>;
  key: CryptoKey;
};

const DB = 'pakawaaz-chat';
const DEVICES = 'devices';
const CHATS = 'chats';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 2);
    req.onupgradeneeded = () => {
      for (const s of [DEVICES, CHATS])
        if (!req.result.objectStoreNames.contains(s)) req.result.createObjectStore(s);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB is not available'));
  });
}

async function run<T>(
  store: string,
  mode: IDBTransactionMode,
  op: (s: IDBObjectStore) => IDBRequest,
): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = op(db.transaction(store, mode).objectStore(store));
      req.onsuccess = () => resolve(req.result as T);
      req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
    });
  } finally {
    db.close();
  }
}

/** The device enrolled in this browser for this official, if any (one per official and browser profile). */
export const loadDevice = (userId: string): Promise<StoredDevice | undefined> =>
  run(DEVICES, 'readonly', (s) => s.get(userId));

export const saveDevice = (d: StoredDevice): Promise<unknown> =>
  run(DEVICES, 'readwrite', (s) => s.put(d, d.userId));

const loadSealed = (userId: string): Promise<SealedChat | undefined> =>
  run(CHATS, 'readonly', (s) => s.get(userId));

/**
 * The chat state of this official's device in this browser (JSON), or undefined when there is none yet or it
 * belongs to an earlier device (a new enrolment starts over: the old device's MLS state is of no use).
 */
export async function loadChat<T>(userId: string, deviceId: string): Promise<T | undefined> {
  const sealed = await loadSealed(userId);
  if (!sealed || sealed.deviceId !== deviceId) return undefined;
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: sealed.iv }, sealed.key, sealed.data);
  return JSON.parse(new TextDecoder().decode(plain)) as T;
}

/** Seals and stores the chat state (a fresh IV each time; the key is made once per device, non-extractable). */
export async function saveChat(userId: string, deviceId: string, state: unknown): Promise<void> {
  const old = await loadSealed(userId);
  const key =
    old?.deviceId === deviceId
      ? old.key
      : await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify(state));
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plain));
  const sealed: SealedChat = { deviceId, iv, data, key };
  await run(CHATS, 'readwrite', (s) => s.put(sealed, userId));
}
