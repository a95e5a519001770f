import {
  MongoBulkWriteError,
  MongoClient,
  type AnyBulkWriteOperation,
  type Document,
  type Filter,
} from 'mongodb';
import type { StoredSubscriberDocument } from './reconcile.js';
import type { Open5gsSubscriberDocument } from './subscriber-document.js';
import { toSubscriberUpdate, type Open5gsSubscriberStore } from './subscriber-store.port.js';

export type Open5gsStoreOptions = {
  /** Database to use; defaults to the one the URL names, else `open5gs` (Open5GS's mongodb://localhost/open5gs). */
  readonly database?: string;
  /** How long to wait for a reachable server (connect and every operation). */
  readonly serverSelectionTimeoutMS?: number;
  readonly connectTimeoutMS?: number;
  /** Documents per bulkWrite / deleteMany round trip. */
  readonly batchSize?: number;
};

const DEFAULTS = { serverSelectionTimeoutMS: 5_000, connectTimeoutMS: 5_000, batchSize: 1_000 };

/**
 * The part of the driver's `Collection` the store uses. The driver's collection is one; the tests' in-memory
 * collection (core-network/test/support) is the other, so both run this adapter's code.
 */
export type SubscribersCollection = {
  createIndex(keys: { imsi: 1 }, options: { unique: true; name: string }): Promise<string>;
  bulkWrite(
    operations: AnyBulkWriteOperation[],
    options: { ordered: false },
  ): Promise<{ upsertedCount: number; modifiedCount: number }>;
  deleteMany(filter: { imsi: { $in: string[] } }): Promise<{ deletedCount: number }>;
  find(
    filter: Filter<Document>,
    options: { promoteValues: false; batchSize: number },
  ): AsyncIterable<Document> & { close(): Promise<void> };
};

export class Open5gsStoreError extends Error {
  constructor(
    message: string,
    /** IMSIs whose write failed (bulk writes are unordered: the others were applied). */
    readonly failedImsis: readonly string[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'Open5gsStoreError';
  }
}

/** The URL with any password (userinfo or TLS key password) replaced by `***`, for errors and logs. */
export function maskMongoUrl(url: string): string {
  return url
    .replace(/^(mongodb(?:\+srv)?:\/\/[^:@/]*):[^@/]*@/i, '$1:***@')
    .replace(/([?&](?:password|tlsCertificateKeyFilePassword)=)[^&]*/gi, '$1***');
}

/**
 * Connects to Open5GS's MongoDB and makes sure `subscribers` has a unique index on `imsi` (the webui's mongoose
 * model declares one; Open5GS itself looks subscribers up by IMSI on every attach). Fails within
 * `serverSelectionTimeoutMS` with the masked URL in the message.
 */
export async function connectOpen5gsStore(
  url: string,
  options: Open5gsStoreOptions = {},
): Promise<Open5gsSubscriberStore> {
  const o = { ...DEFAULTS, ...options };
  const where = maskMongoUrl(url);
  let client: MongoClient;
  try {
    client = new MongoClient(url, {
      serverSelectionTimeoutMS: o.serverSelectionTimeoutMS,
      connectTimeoutMS: o.connectTimeoutMS,
      appName: 'pakawaaz-core-network',
    });
  } catch (err) {
    throw new Open5gsStoreError(`Invalid Open5GS MongoDB URL ${where}: ${maskMongoUrl(errorText(err))}`);
  }
  try {
    await client.connect();
    const collection = client.db(o.database ?? databaseName(url) ?? 'open5gs').collection('subscribers');
    return await open5gsStoreOn(collection, { where, batchSize: o.batchSize, close: () => client.close() });
  } catch (err) {
    await client.close().catch(() => undefined);
    if (err instanceof Open5gsStoreError) throw err;
    const message = `Open5GS MongoDB at ${where} is not reachable (waited ${o.serverSelectionTimeoutMS} ms): ${maskMongoUrl(errorText(err))}`;
    throw new Open5gsStoreError(message, [], { cause: err });
  }
}

/** The store over an already open `subscribers` collection; ensures the unique imsi index first. */
export async function open5gsStoreOn(
  collection: SubscribersCollection,
  options: { where: string; batchSize?: number; close: () => Promise<void> },
): Promise<Open5gsSubscriberStore> {
  await ensureImsiIndex(collection, options.where);
  return new MongoSubscriberStore(
    collection,
    options.close,
    options.batchSize ?? DEFAULTS.batchSize,
    options.where,
  );
}

/** The database named in the URL path, if any (`mongodb://host/open5gs?…` → `open5gs`). */
function databaseName(url: string): string | undefined {
  const name = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]*)/i.exec(url)?.[1];
  return name ? decodeURIComponent(name) : undefined;
}

async function ensureImsiIndex(collection: SubscribersCollection, where: string): Promise<void> {
  try {
    await collection.createIndex({ imsi: 1 }, { unique: true, name: 'imsi_1' });
  } catch (err) {
    // 85/86: an `imsi_1` index exists with other options (e.g. not unique), or duplicates prevent one.
    throw new Open5gsStoreError(
      `Cannot ensure a unique index on subscribers.imsi in ${where}: ${errorText(err)}. ` +
        'Check for duplicate IMSIs or a non-unique imsi_1 index.',
      [],
      { cause: err },
    );
  }
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

class MongoSubscriberStore implements Open5gsSubscriberStore {
  constructor(
    private readonly collection: SubscribersCollection,
    private readonly closeCollection: () => Promise<void>,
    private readonly batchSize: number,
    private readonly where: string,
  ) {}

  async upsert(docs: readonly Open5gsSubscriberDocument[]): Promise<{ upserted: number; modified: number }> {
    let upserted = 0;
    let modified = 0;
    const failed: string[] = [];
    const messages = new Set<string>();
    for (const batch of batches(docs, this.batchSize)) {
      const ops: AnyBulkWriteOperation[] = batch.map((doc) => ({
        updateOne: { ...toSubscriberUpdate(doc), upsert: true },
      }));
      try {
        const result = await this.collection.bulkWrite(ops, { ordered: false });
        upserted += result.upsertedCount;
        modified += result.modifiedCount;
      } catch (err) {
        if (!(err instanceof MongoBulkWriteError)) throw this.failure('write', err);
        // Only messages, never the error object: its failed operations carry K and OPc.
        const writeErrors = [err.writeErrors].flat();
        if (writeErrors.length === 0) throw this.failure('write', new Error(err.message), false);
        upserted += err.result.upsertedCount;
        modified += err.result.modifiedCount;
        for (const e of writeErrors) {
          failed.push(batch[e.index]?.imsi ?? '?');
          messages.add(`${e.code}: ${e.errmsg ?? 'write error'}`);
        }
      }
    }
    if (failed.length > 0) {
      const message = `${failed.length} of ${docs.length} subscriber writes to ${this.where} failed (${[...messages].join('; ')})`;
      throw new Open5gsStoreError(message, failed);
    }
    return { upserted, modified };
  }

  async remove(imsis: readonly string[]): Promise<number> {
    let deleted = 0;
    for (const batch of batches(imsis, this.batchSize)) {
      try {
        deleted += (await this.collection.deleteMany({ imsi: { $in: [...batch] } })).deletedCount;
      } catch (err) {
        throw this.failure('delete', err);
      }
    }
    return deleted;
  }

  async *fetch(imsis?: readonly string[]): AsyncIterable<StoredSubscriberDocument> {
    const filter = imsis === undefined ? {} : { imsi: { $in: [...imsis] } };
    // promoteValues: false keeps int32, int64 and double apart, so a double Open5GS would ignore is visible.
    const cursor = this.collection.find(filter, { promoteValues: false, batchSize: this.batchSize });
    try {
      for await (const doc of cursor) yield fromBson(doc) as StoredSubscriberDocument;
    } catch (err) {
      throw this.failure('read', err);
    } finally {
      await cursor.close();
    }
  }

  async close(): Promise<void> {
    await this.closeCollection();
  }

  private failure(what: string, err: unknown, withCause = true): Open5gsStoreError {
    const message = `Cannot ${what} Open5GS subscribers in ${this.where}: ${errorText(err)}`;
    return new Open5gsStoreError(message, [], withCause ? { cause: err } : undefined);
  }
}

function* batches<T>(items: readonly T[], size: number): Generator<readonly T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/**
 * BSON as read with promoteValues: false → the representation the builder and reconciler use:
 * int32 → number, int64 → bigint, double → `{ $numberDouble }` (never equal to a number), ObjectId → hex.
 */
export function fromBson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(fromBson);
  if (value instanceof Date) return { $date: value.toISOString() };
  const typed = value as { _bsontype?: string; value?: unknown; toString(): string };
  switch (typed._bsontype) {
    case undefined:
      return Object.fromEntries(Object.entries(value as Document).map(([k, v]) => [k, fromBson(v)]));
    case 'Int32':
      return typed.value;
    case 'Long':
      return BigInt(typed.toString());
    case 'Double':
      return { $numberDouble: String(typed.value) };
    case 'ObjectId':
      return typed.toString();
    default:
      return { $bsonType: typed._bsontype, value: typed.toString() };
  }
}
