// The browser's desktop device, kept in IndexedDB: the CryptoKeyPair is stored as it is (structured clone),
// so its private half stays non-extractable; the certificate is public.
export type StoredDevice = {
  userId: string;
  deviceId: string;
  keys: CryptoKeyPair;
  certificatePem: string;
  caPems: string[];
};

const DB = 'pakawaaz-chat';
const STORE = 'devices';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB is not available'));
  });
}

async function run<T>(mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = op(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result as T);
      req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
    });
  } finally {
    db.close();
  }
}

/** The device enrolled in this browser for this official, if any (one per official and browser profile). */
export const loadDevice = (userId: string): Promise<StoredDevice | undefined> =>
  run('readonly', (s) => s.get(userId));

export const saveDevice = (d: StoredDevice): Promise<unknown> => run('readwrite', (s) => s.put(d, d.userId));
