import { open5gsStoreOn } from '../../src/open5gs/subscribers/mongo-subscriber-store.js';
import type { Open5gsSubscriberStore } from '../../src/open5gs/subscribers/subscriber-store.port.js';
import { MemorySubscribersCollection } from './memory-subscribers-collection.js';

/**
 * The real Open5GS store adapter over an in-memory `subscribers` collection (MongoDB semantics, see
 * memory-subscribers-collection.ts). `collection` is the back door tests use to play Open5GS or an operator
 * writing behind Pakawaaz's back.
 */
export async function memoryOpen5gsStore(
  options: { batchSize?: number } = {},
): Promise<{ store: Open5gsSubscriberStore; collection: MemorySubscribersCollection }> {
  const collection = new MemorySubscribersCollection();
  const store = await open5gsStoreOn(collection, {
    where: 'memory://open5gs',
    close: () => Promise.resolve(),
    ...options,
  });
  return { store, collection };
}
