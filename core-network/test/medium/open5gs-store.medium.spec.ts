import { Double } from 'mongodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Open5gsStoreError } from '../../src/open5gs/subscribers/mongo-subscriber-store.js';
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
import { STORE_HARNESSES, type StoreUnderTest } from '../support/open5gs-store-harness.js';

/*
 * One behavioural suite for Open5GS's `subscribers` collection, run against every store: the in-memory
 * collection always, a real MongoDB through the official driver when OPEN5GS_MONGODB_URL is set. The cases are
 * the same on purpose: they are what keeps the in-memory semantics (which every other test relies on) equal to
 * MongoDB's.
 */

const secret = { k: Buffer.alloc(16, 0x46), opc: Buffer.alloc(16, 0xe8), amf: Buffer.from('8000', 'hex') };
const imsi = (n: number) => `99970${String(n).padStart(10, '0')}`;
const doc = (n: number, status: 'active' | 'barred' = 'active') =>
  buildSubscriberDocument({ imsi: imsi(n), msisdn: null, secret, profile: DEFAULT_PROFILE, status });
const bsonType = (v: unknown) => (v as { _bsontype?: string } | undefined)?._bsontype;

async function all(
  store: Open5gsSubscriberStore,
  imsis?: string[],
): Promise<Map<string, StoredSubscriberDocument>> {
  const out = new Map<string, StoredSubscriberDocument>();
  for await (const d of store.fetch(imsis)) out.set(d.imsi, d);
  return out;
}

async function rejection(p: Promise<unknown>): Promise<Error & { code?: unknown }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

for (const harness of STORE_HARNESSES) {
  describe.skipIf(!harness.available)(`Open5GS subscribers collection: ${harness.name}`, () => {
    // A fresh collection per case: no case depends on another's leftovers.
    let t: StoreUnderTest;
    beforeEach(async () => {
      t = await harness.open();
    });
    afterEach(() => t?.close());

    it('upserts new documents by IMSI with the BSON types Open5GS reads (int32 numbers, int64 SQN)', async () => {
      expect(await t.store.upsert([doc(1), doc(2), doc(3)])).toEqual({ upserted: 3, modified: 0 });

      type Raw = {
        _id: unknown;
        subscriber_status: unknown;
        slice: { sst: unknown }[];
        ambr: { downlink: { value: unknown } };
        security: { k: string; sqn: unknown };
      };
      const stored = (await t.raw.findOne({ imsi: imsi(1) }, { promoteValues: false })) as Raw | null;
      expect(bsonType(stored?._id)).toBe('ObjectId');
      expect(bsonType(stored?.subscriber_status)).toBe('Int32');
      expect(bsonType(stored?.slice[0]?.sst)).toBe('Int32');
      expect(bsonType(stored?.ambr.downlink.value)).toBe('Int32');
      expect(bsonType(stored?.security.sqn)).toBe('Long');
      expect(stored?.security.k).toBe('46'.repeat(16));
    });

    it('re-upserts the same documents without modifying anything', async () => {
      await t.store.upsert([doc(1), doc(2, 'barred')]);

      expect(await t.store.upsert([doc(1), doc(2, 'barred')])).toEqual({ upserted: 0, modified: 0 });
    });

    it('updates a barring field by field: what the HSS wrote (SQN, IMEISV, serving MME) survives', async () => {
      await t.store.upsert([doc(2)]);
      await t.raw.updateOne(
        { imsi: imsi(2) },
        { $inc: { 'security.sqn': 32n }, $set: { imeisv: '3534900698733190', mme_host: 'mme.localdomain' } },
      );

      expect(await t.store.upsert([doc(2, 'barred')])).toEqual({ upserted: 0, modified: 1 });
      const stored = (await all(t.store, [imsi(2)])).get(imsi(2));
      expect(stored).toMatchObject({
        subscriber_status: 1,
        operator_determined_barring: 1,
        imeisv: '3534900698733190',
        mme_host: 'mme.localdomain',
      });
      expect((stored?.['security'] as { sqn: bigint }).sqn).toBe(32n);
    });

    it('fetches all documents or the requested ones', async () => {
      await t.store.upsert([doc(1), doc(2), doc(3)]);

      expect([...(await all(t.store)).keys()].sort()).toEqual([imsi(1), imsi(2), imsi(3)]);
      expect([...(await all(t.store, [imsi(3), imsi(42)])).keys()]).toEqual([imsi(3)]);
    });

    it('detects drift behind Pakawaaz’s back, including a double Open5GS would ignore, and repairs it', async () => {
      await t.store.upsert([doc(1), doc(2, 'barred'), doc(3)]);
      await t.raw.updateOne(
        { imsi: imsi(1) },
        { $set: { subscriber_status: new Double(0), 'ambr.downlink.value': 10 } },
      );
      await t.raw.insertOne({ imsi: imsi(77), security: { k: '00'.repeat(16) } });
      const desired = new Map([doc(1), doc(2, 'barred'), doc(3)].map((d) => [d.imsi, d]));

      const plan = planReconciliation(desired, await all(t.store), []);

      expect(plan.drift).toEqual([
        { imsi: imsi(1), kind: 'modified', fields: ['ambr', 'subscriber_status'] },
      ]);
      expect(plan.upserts.map((d) => d.imsi)).toEqual([imsi(1)]);
      expect(plan.unchanged).toEqual([imsi(2), imsi(3)]);
      expect(plan.unmanaged).toEqual([imsi(77)]);
      expect(await t.store.upsert(plan.upserts)).toEqual({ upserted: 0, modified: 1 });
      expect(planReconciliation(desired, await all(t.store), []).drift).toEqual([]);
    });

    it('replaces a double with the int32 of the same number (BSON values compare by type and bytes)', async () => {
      await t.store.upsert([doc(1)]);
      await t.raw.updateOne({ imsi: imsi(1) }, { $set: { subscriber_status: new Double(0) } });

      expect(await t.store.upsert([doc(1)])).toEqual({ upserted: 0, modified: 1 });
      const stored = await t.raw.findOne({ imsi: imsi(1) }, { promoteValues: false });
      expect(bsonType(stored?.['subscriber_status'])).toBe('Int32');
    });

    it('deletes only what it is asked to: the documents Pakawaaz pushed, never unknown ones', async () => {
      await t.store.upsert([doc(1), doc(2)]);
      await t.raw.insertOne({ imsi: imsi(77), security: { k: '00'.repeat(16) } });
      const desired = new Map([doc(2)].map((d) => [d.imsi, d]));

      const plan = planReconciliation(desired, await all(t.store), [imsi(1), imsi(404)]);

      expect(plan).toMatchObject({ deletes: [imsi(1)], alreadyDeleted: [imsi(404)], unmanaged: [imsi(77)] });
      expect(await t.store.remove([...plan.deletes, imsi(404)])).toBe(1);
      expect(await t.store.remove([imsi(1)])).toBe(0);
      expect([...(await all(t.store)).keys()].sort()).toEqual([imsi(2), imsi(77)]);
    });

    it('creates missing embedded documents for dotted paths; $setOnInsert fields only when it inserts', async () => {
      await t.store.upsert([doc(3)]);
      // Someone removed the whole security document: the field updates rebuild it, but security.sqn is
      // Open5GS's ($setOnInsert) and is not re-created on an existing document.
      await t.raw.updateOne({ imsi: imsi(3) }, { $unset: { security: '' } });

      expect(await t.store.upsert([doc(3)])).toEqual({ upserted: 0, modified: 1 });
      const stored = await t.raw.findOne({ imsi: imsi(3) }, { promoteValues: false });
      expect(stored?.['security']).toEqual({
        k: '46'.repeat(16),
        op: null,
        opc: 'E8'.repeat(16),
        amf: '8000',
      });
    });

    it('cannot update through a field that is not a document: that subscriber fails, by IMSI; the others are written', async () => {
      await t.store.upsert([doc(2)]);
      await t.raw.updateOne({ imsi: imsi(2) }, { $set: { security: null } });

      const err = await rejection(t.store.upsert([doc(4), doc(2), doc(5)]));

      expect(err).toBeInstanceOf(Open5gsStoreError);
      expect((err as Open5gsStoreError).failedImsis).toEqual([imsi(2)]);
      expect(err.message).toMatch(/^1 of 3 subscriber writes to .* failed \(28: /);
      expect([...(await all(t.store, [imsi(4), imsi(5)])).keys()].sort()).toEqual([imsi(4), imsi(5)]);
    });

    it('refuses overlapping paths in one update, even one that does not insert', async () => {
      await t.store.upsert([doc(3)]);

      const err = await rejection(
        t.raw.updateOne({ imsi: imsi(3) }, { $set: { security: {} }, $setOnInsert: { 'security.sqn': 0n } }),
      );

      expect(err.code).toBe(40);
      expect(err.message).toMatch(/would create a conflict at 'security'/);
    });

    it('keeps one document per IMSI (the unique index)', async () => {
      await t.store.upsert([doc(3)]);

      const err = await rejection(t.raw.insertOne({ imsi: imsi(3) }));

      expect(err.code).toBe(11000);
      expect([...(await all(t.store, [imsi(3)])).keys()]).toEqual([imsi(3)]);
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

      expect(await t.store.upsert(many)).toEqual({ upserted: 2_500, modified: 0 });
      expect(await t.store.remove(many.map((d) => d.imsi))).toBe(2_500);
    });
  });
}

/* What only a server has: its index catalogue and change streams. */
const server = STORE_HARNESSES.find((h) => h.name.startsWith('MongoDB'))!;
describe.skipIf(!server.available)('Open5GS subscribers on a MongoDB server', () => {
  let t: StoreUnderTest;
  beforeAll(async () => {
    t = await server.open();
  });
  afterAll(() => t?.close());

  it('creates the unique imsi index on connect', async () => {
    const indexes = (await t.client!.db(t.database).collection('subscribers').listIndexes().toArray()) as {
      name: string;
    }[];

    expect(indexes.find((i) => i.name === 'imsi_1')).toMatchObject({ key: { imsi: 1 }, unique: true });
  });

  it('emits an update event naming subscriber_status, the HSS trigger for an IDR to the MME', async (ctx) => {
    const hello = await t.client!.db('admin').command({ hello: 1 });
    if (!hello['setName']) ctx.skip(); // change streams need a replica set, as Open5GS's HSS does
    await t.store.upsert([doc(3)]);
    const stream = t
      .client!.db(t.database)
      .collection('subscribers')
      .watch([], { fullDocument: 'updateLookup' });
    const next = stream.next();
    await t.store.upsert([doc(3, 'barred')]);
    const event = (await next) as { operationType: string; updateDescription?: { updatedFields: object } };
    await stream.close();

    expect(event.operationType).toBe('update');
    expect(Object.keys(event.updateDescription?.updatedFields ?? {})).toEqual(
      expect.arrayContaining(['subscriber_status', 'operator_determined_barring']),
    );
  });
});
