import { randomBytes } from 'node:crypto';
import { MongoClient, type Document } from 'mongodb';
import { connectOpen5gsStore } from '../../src/open5gs/subscribers/mongo-subscriber-store.js';
import type { Open5gsSubscriberStore } from '../../src/open5gs/subscribers/subscriber-store.port.js';
import { memoryOpen5gsStore } from './memory-open5gs-store.js';

/** Direct access to the `subscribers` collection, bypassing the store: how tests play Open5GS or an operator. */
export type RawSubscribers = {
  updateOne(filter: { imsi: string }, update: Document): Promise<unknown>;
  insertOne(doc: Document): Promise<unknown>;
  findOne(filter: { imsi: string }, options: { promoteValues: false }): Promise<Document | null>;
};

export type StoreUnderTest = {
  store: Open5gsSubscriberStore;
  raw: RawSubscribers;
  /** The driver's client for server-only checks (indexes, change streams); none for the in-memory store. */
  client?: MongoClient;
  database?: string;
  close(): Promise<void>;
};

export type StoreHarness = {
  name: string;
  /** False when the backing service is not configured: its suites are skipped (visibly). */
  available: boolean;
  open(options?: { batchSize?: number }): Promise<StoreUnderTest>;
};

export const OPEN5GS_MONGODB_URL = process.env.OPEN5GS_MONGODB_URL;

if (!OPEN5GS_MONGODB_URL)
  console.warn(
    '\n[notice] OPEN5GS_MONGODB_URL is not set: the Open5GS subscriber suites ran against the in-memory ' +
      'collection only, NOT against a real MongoDB (there is none in Debian or on the build machines; ' +
      'PAKAWAAZ_REQUIRE_SERVICES does not change this). Set it, e.g. mongodb://127.0.0.1:27017, to run the ' +
      'same cases through the official driver.\n',
  );

const memory: StoreHarness = {
  name: 'in-memory collection',
  available: true,
  async open(options) {
    const { store, collection } = await memoryOpen5gsStore(options);
    return { store, raw: collection, close: () => store.close() };
  },
};

/**
 * A real MongoDB from OPEN5GS_MONGODB_URL. Each store works in its own throw-away database (never the URL's own,
 * which may be a live Open5GS), dropped on close.
 */
const mongodb: StoreHarness = {
  name: 'MongoDB (official driver)',
  available: OPEN5GS_MONGODB_URL !== undefined && OPEN5GS_MONGODB_URL !== '',
  async open(options) {
    const url = OPEN5GS_MONGODB_URL!;
    const database = `pakawaaz_open5gs_test_${randomBytes(4).toString('hex')}`;
    const store = await connectOpen5gsStore(url, { database, serverSelectionTimeoutMS: 5_000, ...options });
    const client = await MongoClient.connect(url);
    return {
      store,
      raw: client.db(database).collection('subscribers'),
      client,
      database,
      async close() {
        await client.db(database).dropDatabase();
        await client.close();
        await store.close();
      },
    };
  },
};

/** Every store the behavioural suites run against: the in-memory one always, MongoDB when configured. */
export const STORE_HARNESSES: readonly StoreHarness[] = [memory, mongodb];
