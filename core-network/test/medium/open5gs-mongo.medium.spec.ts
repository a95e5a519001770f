import { randomBytes } from 'node:crypto';
import { Double, MongoClient, type Collection } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectOpen5gsStore } from '../../src/open5gs/subscribers/mongo-subscriber-store.js';
import {
  planReconciliation,
  type StoredSubscriberDocument,
} from '../../src/open5gs/subscribers/reconcile.js';
import {
  buildSubscriberDocument,
  buildSubscriberDocuments,
} from '../../src/open5gs/subscribers/subscriber-document.js';
import type { Open5gsSubscriberStore } from '../../src/open5gs/subscribers/subscriber-store.port.js';
import { DEFAULT_PROFILE } from '../../src/subscribers/profile.js';

/*
 * The real-driver path against a MongoDB given by OPEN5GS_MONGODB_URL. Each run works in a throw-away
 * database (never the URL's own, which may be a live Open5GS) and drops it afterwards.
 */
const url = process.env.OPEN5GS_MONGODB_URL;
if (!url) {
  console.warn(
    '\n[notice] OPEN5GS_MONGODB_URL is not set: the Open5GS MongoDB real-driver tests were NOT exercised ' +
      '(upsert, idempotence, delete, fetch, drift). Set it, e.g. mongodb://127.0.0.1:27017, to run them.\n',
  );
}

const database = `pakawaaz_open5gs_test_${randomBytes(4).toString('hex')}`;
const secret = { k: Buffer.alloc(16, 0x46), opc: Buffer.alloc(16, 0xe8), amf: Buffer.from('8000', 'hex') };
const imsi = (n: number) => `99970${String(n).padStart(10, '0')}`;
const doc = (n: number, status: 'active' | 'barred' = 'active') =>
  buildSubscriberDocument({ imsi: imsi(n), msisdn: null, secret, profile: DEFAULT_PROFILE, status });

async function all(
  store: Open5gsSubscriberStore,
  imsis?: string[],
): Promise<Map<string, StoredSubscriberDocument>> {
  const out = new Map<string, StoredSubscriberDocument>();
  for await (const d of store.fetch(imsis)) out.set(d.imsi, d);
  return out;
}

describe.skipIf(!url)('Open5GS subscribers through the official MongoDB driver', () => {
  let store: Open5gsSubscriberStore;
  let raw: MongoClient;
  let subscribers: Collection;

  beforeAll(async () => {
    store = await connectOpen5gsStore(url!, { database, serverSelectionTimeoutMS: 5_000 });
    raw = await MongoClient.connect(url!);
    subscribers = raw.db(database).collection('subscribers');
  });

  afterAll(async () => {
    await raw?.db(database).dropDatabase();
    await raw?.close();
    await store?.close();
  });

  it('creates the unique imsi index on connect', async () => {
    const indexes = (await subscribers.listIndexes().toArray()) as { name: string }[];

    expect(indexes.find((i) => i.name === 'imsi_1')).toMatchObject({ key: { imsi: 1 }, unique: true });
  });

  it('upserts new documents with the BSON types Open5GS reads (int32 numbers, int64 SQN)', async () => {
    expect(await store.upsert([doc(1), doc(2), doc(3)])).toEqual({ upserted: 3, modified: 0 });

    type Raw = {
      subscriber_status: unknown;
      slice: { sst: unknown }[];
      ambr: { downlink: { value: unknown } };
      security: { k: string; sqn: unknown };
    };
    const stored = (await subscribers.findOne({ imsi: imsi(1) }, { promoteValues: false })) as Raw | null;
    const typeOf = (v: unknown) => (v as { _bsontype?: string })._bsontype;
    expect(typeOf(stored?.subscriber_status)).toBe('Int32');
    expect(typeOf(stored?.slice[0]?.sst)).toBe('Int32');
    expect(typeOf(stored?.ambr.downlink.value)).toBe('Int32');
    expect(typeOf(stored?.security.sqn)).toBe('Long');
    expect(stored?.security.k).toBe('46'.repeat(16));
  });

  it('re-upserts the same documents without modifying anything', async () => {
    expect(await store.upsert([doc(1), doc(2), doc(3)])).toEqual({ upserted: 0, modified: 0 });
  });

  it('updates a barring without touching what the HSS wrote (SQN, IMEISV, serving MME)', async () => {
    await subscribers.updateOne(
      { imsi: imsi(2) },
      { $inc: { 'security.sqn': 32n }, $set: { imeisv: '3534900698733190', mme_host: 'mme.localdomain' } },
    );

    expect(await store.upsert([doc(2, 'barred')])).toEqual({ upserted: 0, modified: 1 });
    const stored = (await all(store, [imsi(2)])).get(imsi(2));
    expect(stored).toMatchObject({
      subscriber_status: 1,
      operator_determined_barring: 1,
      imeisv: '3534900698733190',
    });
    expect((stored?.['security'] as { sqn: bigint }).sqn).toBe(32n);
  });

  it('emits an update event naming subscriber_status, the HSS trigger for an IDR to the MME', async (ctx) => {
    const hello = await raw.db('admin').command({ hello: 1 });
    if (!hello['setName']) ctx.skip(); // change streams need a replica set, as Open5GS's HSS does
    const stream = subscribers.watch([], { fullDocument: 'updateLookup' });
    const next = stream.next();
    await store.upsert([doc(3, 'barred')]);
    const event = (await next) as { operationType: string; updateDescription?: { updatedFields: object } };
    await stream.close();

    expect(event.operationType).toBe('update');
    expect(Object.keys(event.updateDescription?.updatedFields ?? {})).toEqual(
      expect.arrayContaining(['subscriber_status', 'operator_determined_barring']),
    );
  });

  it('fetches all documents or the requested ones', async () => {
    expect([...(await all(store)).keys()].sort()).toEqual([imsi(1), imsi(2), imsi(3)]);
    expect([...(await all(store, [imsi(3), imsi(42)])).keys()]).toEqual([imsi(3)]);
  });

  it('detects drift made behind Pakawaaz’s back, including a double Open5GS would ignore, and unknown documents', async () => {
    await subscribers.updateOne(
      { imsi: imsi(1) },
      { $set: { subscriber_status: new Double(0), 'ambr.downlink.value': 10 } },
    );
    await subscribers.insertOne({ imsi: imsi(77), security: { k: '00'.repeat(16) } });
    const desired = new Map([doc(1), doc(2, 'barred'), doc(3, 'barred')].map((d) => [d.imsi, d]));

    const plan = planReconciliation(desired, await all(store), []);

    expect(plan.drift).toEqual([{ imsi: imsi(1), kind: 'modified', fields: ['ambr', 'subscriber_status'] }]);
    expect(plan.upserts.map((d) => d.imsi)).toEqual([imsi(1)]);
    expect(plan.unchanged).toEqual([imsi(2), imsi(3)]);
    expect(plan.unmanaged).toEqual([imsi(77)]);
    await store.upsert(plan.upserts);
    expect(planReconciliation(desired, await all(store), []).drift).toEqual([]);
  });

  it('deletes by IMSI and reports how many existed', async () => {
    expect(await store.remove([imsi(1), imsi(77), imsi(404)])).toBe(2);
    expect(await store.remove([imsi(1)])).toBe(0);
    expect([...(await all(store)).keys()].sort()).toEqual([imsi(2), imsi(3)]);
  });

  it('writes thousands of documents in batches', async () => {
    const many = buildSubscriberDocuments(
      Array.from({ length: 2_500 }, (_, i) => ({
        imsi: imsi(10_000 + i),
        msisdn: null,
        secret,
        profile: DEFAULT_PROFILE,
        status: 'active' as const,
      })),
    );

    expect(await store.upsert(many)).toEqual({ upserted: 2_500, modified: 0 });
    expect(await store.remove(many.map((d) => d.imsi))).toBe(2_500);
  });
});
