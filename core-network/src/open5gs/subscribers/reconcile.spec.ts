import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../subscribers/profile.js';
import {
  diffSubscriberDocuments,
  planReconciliation,
  sameValue,
  type StoredSubscriberDocument,
} from './reconcile.js';
import { buildSubscriberDocument, type Open5gsSubscriberDocument } from './subscriber-document.js';

const secret = { k: Buffer.alloc(16, 0x11), opc: Buffer.alloc(16, 0x22), amf: Buffer.from('8000', 'hex') };
const imsi = (n: number) => `00101${String(n).padStart(10, '0')}`;
const doc = (n: number, status: 'active' | 'barred' = 'active') =>
  buildSubscriberDocument({ imsi: imsi(n), msisdn: null, secret, profile: DEFAULT_PROFILE, status });

/** What the document looks like after MongoDB and Open5GS have had it for a while. */
function stored(
  d: Open5gsSubscriberDocument,
  changes: Record<string, unknown> = {},
): StoredSubscriberDocument {
  const copy = structuredClone(d) as unknown as Record<string, unknown> & { imsi: string };
  return { _id: 'a1b2c3', ...copy, ...changes };
}

const byImsi = <T extends { imsi: string }>(...docs: T[]) => new Map(docs.map((d) => [d.imsi, d]));

describe('planReconciliation', () => {
  it('creates documents missing from MongoDB when they are pending, without calling it drift', () => {
    const plan = planReconciliation(byImsi(doc(1)), new Map(), [], { pending: new Set([imsi(1)]) });

    expect(plan.upserts.map((d) => d.imsi)).toEqual([imsi(1)]);
    expect(plan.drift).toEqual([]);
  });

  it('reports a pushed document that vanished from MongoDB as drift and re-creates it', () => {
    const plan = planReconciliation(byImsi(doc(1)), new Map(), []);

    expect(plan.upserts.map((d) => d.imsi)).toEqual([imsi(1)]);
    expect(plan.drift).toEqual([{ imsi: imsi(1), kind: 'deleted', fields: [] }]);
  });

  it('leaves equal documents alone', () => {
    const plan = planReconciliation(byImsi(doc(1), doc(2)), byImsi(stored(doc(1)), stored(doc(2))), []);

    expect(plan).toEqual({
      upserts: [],
      deletes: [],
      alreadyDeleted: [],
      unchanged: [imsi(1), imsi(2)],
      drift: [],
      unmanaged: [],
    });
  });

  it('ignores what Open5GS and mongoose write: _id at every depth, __v, SQN, IMEISV, serving MME, key order', () => {
    const d = doc(1);
    const slice = d.slice.map((s) => ({
      _id: 'x1',
      ...s,
      session: s.session.map((x) => ({ _id: 'x2', ...x })),
    }));
    const { k, opc, amf, op } = d.security;
    const live = stored(d, {
      __v: 3,
      slice,
      imeisv: '3534900698733190',
      mme_host: 'mme.epc.mnc001.mcc001.3gppnetwork.org',
      mme_realm: 'epc.mnc001.mcc001.3gppnetwork.org',
      mme_timestamp: 1_700_000_000_000n,
      purge_flag: false,
      security: { amf, k, op, opc, sqn: 1376n, rand: '00'.repeat(16) },
    });

    expect(planReconciliation(byImsi(d), byImsi(live), []).unchanged).toEqual([imsi(1)]);
  });

  it('upserts Pakawaaz changes on pending IMSIs without reporting them as drift', () => {
    const plan = planReconciliation(byImsi(doc(1, 'barred')), byImsi(stored(doc(1))), [], {
      pending: new Set([imsi(1)]),
    });

    expect(plan.upserts).toEqual([doc(1, 'barred')]);
    expect(plan.drift).toEqual([]);
  });

  it('reports changes made behind Pakawaaz’s back by top-level field, and overwrites them', () => {
    const tampered = stored(doc(1), {
      subscriber_status: 0,
      ambr: { downlink: { value: 10, unit: 3 }, uplink: { value: 1, unit: 3 } },
      security: { ...doc(1).security, k: 'FF'.repeat(16) },
    });
    const plan = planReconciliation(byImsi(doc(1, 'barred')), byImsi(tampered), []);

    expect(plan.drift).toEqual([
      {
        imsi: imsi(1),
        kind: 'modified',
        fields: ['ambr', 'operator_determined_barring', 'security', 'subscriber_status'],
      },
    ]);
    expect(plan.upserts).toEqual([doc(1, 'barred')]);
  });

  it('treats a double where Open5GS reads int32 as drift (Open5GS would ignore the value)', () => {
    const plan = planReconciliation(
      byImsi(doc(1)),
      byImsi(stored(doc(1), { subscriber_status: { $numberDouble: '0' } })),
      [],
    );

    expect(plan.drift).toEqual([{ imsi: imsi(1), kind: 'modified', fields: ['subscriber_status'] }]);
    expect(plan.upserts).toHaveLength(1);
  });

  it('reports fields only present in MongoDB without upserting, since an upsert cannot remove them', () => {
    const plan = planReconciliation(
      byImsi(doc(1)),
      byImsi(stored(doc(1), { request_cancel_location: true })),
      [],
      {
        pending: new Set([imsi(1)]),
      },
    );

    expect(plan.drift).toEqual([{ imsi: imsi(1), kind: 'modified', fields: ['request_cancel_location'] }]);
    expect(plan.upserts).toEqual([]);
    expect(plan.unchanged).toEqual([imsi(1)]);
  });

  it('reports a managed field removed from MongoDB', () => {
    const { msisdn: _gone, ...rest } = stored(doc(1));
    const plan = planReconciliation(byImsi(doc(1)), byImsi(rest), []);

    expect(plan.drift).toEqual([{ imsi: imsi(1), kind: 'modified', fields: ['msisdn'] }]);
  });

  it('deletes requested IMSIs present in MongoDB and lists the ones already gone', () => {
    const plan = planReconciliation(new Map(), byImsi(stored(doc(1)), stored(doc(2))), [
      imsi(1),
      imsi(3),
      imsi(1),
    ]);

    expect(plan.deletes).toEqual([imsi(1)]);
    expect(plan.alreadyDeleted).toEqual([imsi(3)]);
    expect(plan.unmanaged).toEqual([imsi(2)]);
  });

  it('never deletes documents it does not know: they are reported as unmanaged', () => {
    const plan = planReconciliation(byImsi(doc(1)), byImsi(stored(doc(1)), stored(doc(9))), []);

    expect(plan.unmanaged).toEqual([imsi(9)]);
    expect(plan.deletes).toEqual([]);
  });

  it('keeps a subscriber that is both desired and requested for deletion', () => {
    const plan = planReconciliation(byImsi(doc(1)), byImsi(stored(doc(1))), [imsi(1)]);

    expect(plan.deletes).toEqual([]);
    expect(plan.alreadyDeleted).toEqual([]);
    expect(plan.unchanged).toEqual([imsi(1)]);
  });

  it('plans 10,000 subscribers quickly', () => {
    const desired = new Map(Array.from({ length: 10_000 }, (_, i) => [imsi(i), doc(i)] as const));
    const actual = new Map([...desired].map(([k, d]) => [k, stored(d)] as const));
    const started = performance.now();
    const plan = planReconciliation(desired, actual, []);

    expect(plan.unchanged).toHaveLength(10_000);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('diffSubscriberDocuments and sameValue', () => {
  it('sees slice order as meaningful but key order as not', () => {
    expect(sameValue({ b: 1, a: [2, 1] }, { a: [2, 1], b: 1 })).toBe(true);
    expect(sameValue({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameValue({ a: [1] }, { a: [1, 1] })).toBe(false);
  });

  it('keeps bigint apart from number, ignores _id and undefined, and tells null from a missing key', () => {
    expect(sameValue(5n, 5)).toBe(false);
    expect(sameValue(5n, 5n)).toBe(true);
    expect(sameValue({ _id: 'x', a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameValue({ a: null }, {})).toBe(false);
    expect(sameValue({ a: 1 }, { b: 1 })).toBe(false);
    expect(sameValue([], {})).toBe(false);
  });

  it('splits differences into managed and extra fields', () => {
    expect(diffSubscriberDocuments(doc(1), stored(doc(1), { network_access_mode: 2, foo: 1 }))).toEqual({
      managed: ['network_access_mode'],
      extra: ['foo'],
    });
  });
});
