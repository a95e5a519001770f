import { isDeepStrictEqual } from 'node:util';
import type { StoredSubscriberDocument } from '../../src/open5gs/subscribers/reconcile.js';
import type { Open5gsSubscriberDocument } from '../../src/open5gs/subscribers/subscriber-document.js';
import {
  toSubscriberUpdate,
  type Open5gsSubscriberStore,
} from '../../src/open5gs/subscribers/subscriber-store.port.js';

/**
 * The Open5gsSubscriberStore port over a Map, applying the same $set/$setOnInsert updates the MongoDB adapter
 * sends. There is no MongoDB on the build machines; the real driver path runs when OPEN5GS_MONGODB_URL is set.
 */
export class MemoryOpen5gsStore implements Open5gsSubscriberStore {
  readonly docs = new Map<string, Record<string, unknown>>();

  upsert(docs: readonly Open5gsSubscriberDocument[]): Promise<{ upserted: number; modified: number }> {
    let upserted = 0;
    let modified = 0;
    for (const doc of docs) {
      const { update } = toSubscriberUpdate(doc);
      const existing = this.docs.get(doc.imsi);
      const next: Record<string, unknown> = existing ? structuredClone(existing) : { imsi: doc.imsi };
      if (!existing)
        for (const [p, v] of Object.entries(update.$setOnInsert)) setPath(next, p, structuredClone(v));
      for (const [p, v] of Object.entries(update.$set)) setPath(next, p, structuredClone(v));
      if (!existing) upserted++;
      else if (!isDeepStrictEqual(existing, next)) modified++;
      this.docs.set(doc.imsi, next);
    }
    return Promise.resolve({ upserted, modified });
  }

  remove(imsis: readonly string[]): Promise<number> {
    return Promise.resolve(imsis.filter((i) => this.docs.delete(i)).length);
  }

  // The port is async; this Map answers synchronously.
  // eslint-disable-next-line @typescript-eslint/require-await
  async *fetch(imsis?: readonly string[]): AsyncIterable<StoredSubscriberDocument> {
    for (const [imsi, doc] of this.docs)
      if (!imsis || imsis.includes(imsi)) yield structuredClone(doc) as StoredSubscriberDocument;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
  node[keys.at(-1)!] = value;
}
