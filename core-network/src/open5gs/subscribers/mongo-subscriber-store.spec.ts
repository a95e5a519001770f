import { BSON } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../subscribers/profile.js';
import { connectOpen5gsStore, fromBson, maskMongoUrl, Open5gsStoreError } from './mongo-subscriber-store.js';
import { sameValue } from './reconcile.js';
import { buildSubscriberDocument } from './subscriber-document.js';
import { toSubscriberUpdate } from './subscriber-store.port.js';

const secret = { k: Buffer.alloc(16, 0x11), opc: Buffer.alloc(16, 0x22), amf: Buffer.from('8000', 'hex') };
const doc = buildSubscriberDocument({
  imsi: '001010000000001',
  msisdn: '15551230001',
  secret,
  profile: DEFAULT_PROFILE,
  status: 'barred',
  sqn: 64,
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('connectOpen5gsStore without a server', () => {
  it('fails quickly with a clear message naming the URL', async () => {
    const started = Date.now();
    const err = await rejection(
      connectOpen5gsStore('mongodb://127.0.0.1:1/open5gs', { serverSelectionTimeoutMS: 300 }),
    );

    expect(Date.now() - started).toBeLessThan(3_000);
    expect(err).toBeInstanceOf(Open5gsStoreError);
    expect(err.message).toMatch(
      /^Open5GS MongoDB at mongodb:\/\/127\.0\.0\.1:1\/open5gs is not reachable \(waited 300 ms\)/,
    );
  });

  it('never puts the password in the message', async () => {
    const err = await rejection(
      connectOpen5gsStore('mongodb://open5gs:s3cr%40t@127.0.0.1:1/open5gs?authSource=admin', {
        serverSelectionTimeoutMS: 200,
      }),
    );

    expect(err.message).toContain('mongodb://open5gs:***@127.0.0.1:1/open5gs?authSource=admin');
    expect(err.message).not.toContain('s3cr');
  });

  it('rejects a malformed URL without echoing its password', async () => {
    const err = await rejection(connectOpen5gsStore('mongodb://u:hunter2@'));

    expect(err).toBeInstanceOf(Open5gsStoreError);
    expect(err.message).toMatch(/^Invalid Open5GS MongoDB URL mongodb:\/\/u:\*\*\*@/);
    expect(err.message).not.toContain('hunter2');
  });
});

describe('maskMongoUrl', () => {
  it.each([
    ['mongodb://localhost/open5gs', 'mongodb://localhost/open5gs'],
    [
      'mongodb://user:pw@h1:27017,h2:27017/open5gs?replicaSet=rs0',
      'mongodb://user:***@h1:27017,h2:27017/open5gs?replicaSet=rs0',
    ],
    ['mongodb+srv://user:p%3Aw@cluster.example/open5gs', 'mongodb+srv://user:***@cluster.example/open5gs'],
    [
      'mongodb://h/db?tls=true&tlsCertificateKeyFilePassword=x&w=1',
      'mongodb://h/db?tls=true&tlsCertificateKeyFilePassword=***&w=1',
    ],
  ])('%s → %s', (url, masked) => {
    expect(maskMongoUrl(url)).toBe(masked);
  });
});

describe('toSubscriberUpdate', () => {
  it('sets what Pakawaaz owns and only inserts what Open5GS owns at run time', () => {
    const { filter, update } = toSubscriberUpdate(doc);

    expect(filter).toEqual({ imsi: '001010000000001' });
    expect(Object.keys(update.$set).sort()).toEqual([
      'access_restriction_data',
      'ambr',
      'msisdn',
      'network_access_mode',
      'operator_determined_barring',
      'schema_version',
      'security.amf',
      'security.k',
      'security.op',
      'security.opc',
      'slice',
      'subscribed_rau_tau_timer',
      'subscriber_status',
    ]);
    expect(update.$setOnInsert).toEqual({
      imeisv: [],
      mme_host: [],
      mme_realm: [],
      purge_flag: [],
      __v: 0,
      'security.sqn': 64n,
    });
    expect(update.$set['subscriber_status']).toBe(1);
  });

  it('covers every field of the document exactly once', () => {
    const { update } = toSubscriberUpdate(doc);
    const paths = [...Object.keys(update.$set), ...Object.keys(update.$setOnInsert), 'imsi'];
    const expected = Object.keys(doc).flatMap((k) =>
      k === 'security' ? Object.keys(doc.security).map((s) => `security.${s}`) : [k],
    );

    expect(paths.sort()).toEqual(expected.sort());
  });
});

describe('fromBson', () => {
  const roundTrip = (value: object) =>
    fromBson(BSON.deserialize(BSON.serialize(value), { promoteValues: false }));

  it('reads back a written document as an equal document (int32 → number, int64 → bigint)', () => {
    expect(sameValue(roundTrip(doc), doc)).toBe(true);
  });

  it('marks doubles and other BSON types so they never equal what Open5GS expects', () => {
    const back = roundTrip({
      a: 1.5,
      b: 2 ** 31,
      id: new BSON.ObjectId('65a1b2c3d4e5f60718293a4b'),
      when: new Date(0),
      bin: new BSON.Binary(Buffer.from('x')),
    });

    expect(back).toEqual({
      a: { $numberDouble: '1.5' },
      b: { $numberDouble: '2147483648' },
      id: '65a1b2c3d4e5f60718293a4b',
      when: { $date: '1970-01-01T00:00:00.000Z' },
      bin: { $bsonType: 'Binary', value: expect.any(String) as string },
    });
  });
});
