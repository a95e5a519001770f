import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  canonicalJson,
  entryHash,
  verifyChain,
  type AuditEntry,
  type AuditRecord,
} from './audit-chain.js';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');

function entry(seq: number): AuditEntry {
  return {
    seq,
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    at: new Date(T0 + seq * 1_000),
    actorType: seq % 2 === 0 ? 'operator' : 'system',
    actorId: seq % 2 === 0 ? 'alice' : 'pakawaaz',
    action: 'sim.barred',
    target: `sim:${seq}`,
    details: { imsi: `00101000000000${seq}`, reason: { code: 'lost', note: null }, tags: ['a', 'b'] },
    requestId: seq === 3 ? null : `req-${seq}`,
  };
}

/** A correctly chained log of n entries, seq 1..n. */
function chain(n: number): AuditRecord[] {
  const out: AuditRecord[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const e = entry(seq);
    const hash = entryHash(prev, e);
    out.push({ ...e, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

function replaceAt(
  records: AuditRecord[],
  seq: number,
  change: (r: AuditRecord) => AuditRecord,
): AuditRecord[] {
  return records.map((r) => (r.seq === seq ? change(r) : r));
}

async function* asAsync<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield await Promise.resolve(item);
}

describe('canonicalJson', () => {
  it('is independent of key order at every depth and has no whitespace', () => {
    const a = { b: 1, a: { y: [1, { q: true, p: 'x' }], x: null } };
    const b = { a: { x: null, y: [1, { p: 'x', q: true }] }, b: 1 };
    expect(canonicalJson(a)).toBe('{"a":{"x":null,"y":[1,{"p":"x","q":true}]},"b":1}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
  });

  it('keeps array order, since it is meaningful', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('writes Dates as ISO strings and drops undefined properties like JSON does', () => {
    expect(canonicalJson({ at: new Date(T0), gone: undefined })).toBe('{"at":"2025-03-01T10:00:00.000Z"}');
  });

  it('rejects values that JSON or jsonb would silently change', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson([Number.POSITIVE_INFINITY])).toThrow(/non-finite/);
    expect(() => canonicalJson([undefined])).toThrow(/undefined/);
    expect(() => canonicalJson({ big: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson({ m: new Map() })).toThrow(/unsupported/);
  });
});

describe('entryHash', () => {
  it('is SHA-256 over the previous hash, a newline and the canonical entry', () => {
    const e = entry(1);
    const body =
      '{"action":"sim.barred","actorId":"pakawaaz","actorType":"system","at":"2025-03-01T10:00:01.000Z",' +
      '"details":{"imsi":"001010000000001","reason":{"code":"lost","note":null},"tags":["a","b"]},' +
      '"id":"00000000-0000-4000-8000-000000000001","requestId":"req-1","seq":1,"target":"sim:1"}';
    const expected = createHash('sha256').update(`${GENESIS_HASH}\n${body}`).digest('hex');
    expect(entryHash(GENESIS_HASH, e)).toBe(expected);
  });

  it('does not depend on the key order of details (jsonb reorders them)', () => {
    const e = entry(4);
    const reordered = {
      ...e,
      details: { tags: ['a', 'b'], reason: { note: null, code: 'lost' }, imsi: '001010000000004' },
    };
    expect(entryHash('ab'.repeat(32), reordered)).toBe(entryHash('ab'.repeat(32), e));
  });
});

describe('verifyChain', () => {
  it('accepts an untouched chain and reports its length and head', async () => {
    const records = chain(10);
    expect(await verifyChain(records)).toEqual({ ok: true, entries: 10, head: records[9]?.hash });
  });

  it('accepts an async iterable the same way', async () => {
    const records = chain(5);
    expect(await verifyChain(asAsync(records))).toEqual({ ok: true, entries: 5, head: records[4]?.hash });
  });

  it('accepts an empty log, whose head is the genesis hash', async () => {
    expect(await verifyChain([])).toEqual({ ok: true, entries: 0, head: GENESIS_HASH });
  });

  it.each([
    ['details', (r: AuditRecord): AuditRecord => ({ ...r, details: { imsi: '001019999999999' } })],
    ['actor', (r: AuditRecord): AuditRecord => ({ ...r, actorId: 'mallory' })],
    ['at', (r: AuditRecord): AuditRecord => ({ ...r, at: new Date(r.at.getTime() + 1) })],
    ['action', (r: AuditRecord): AuditRecord => ({ ...r, action: 'sim.unbarred' })],
  ])('detects an altered %s at the altered seq', async (_field, change) => {
    const records = replaceAt(chain(8), 5, change);
    expect(await verifyChain(records)).toEqual({
      ok: false,
      entries: 4,
      brokenAt: { seq: 5, id: entry(5).id, reason: 'hash_mismatch' },
    });
  });

  it('detects an altered first entry', async () => {
    const records = replaceAt(chain(3), 1, (r) => ({ ...r, target: 'sim:other' }));
    expect(await verifyChain(records)).toMatchObject({
      ok: false,
      entries: 0,
      brokenAt: { seq: 1, reason: 'hash_mismatch' },
    });
  });

  it('detects a deleted middle entry as a gap at the entry after it', async () => {
    const records = chain(6).filter((r) => r.seq !== 3);
    expect(await verifyChain(records)).toEqual({
      ok: false,
      entries: 2,
      brokenAt: { seq: 4, id: entry(4).id, reason: 'sequence_gap' },
    });
  });

  it('detects a deleted first entry', async () => {
    const records = chain(3).slice(1);
    expect(await verifyChain(records)).toMatchObject({
      ok: false,
      entries: 0,
      brokenAt: { seq: 2, reason: 'sequence_gap' },
    });
  });

  it('detects an entry altered and re-hashed, at its successor', async () => {
    const records = replaceAt(chain(6), 3, (r) => {
      const forged = { ...r, details: { imsi: '001019999999999' } };
      return { ...forged, hash: entryHash(r.prevHash, forged) };
    });
    expect(await verifyChain(records)).toEqual({
      ok: false,
      entries: 3,
      brokenAt: { seq: 4, id: entry(4).id, reason: 'prev_hash_mismatch' },
    });
  });

  it('detects an entry re-linked to a different predecessor even when its own hash is consistent', async () => {
    const records = replaceAt(chain(4), 2, (r) => ({
      ...r,
      prevHash: GENESIS_HASH,
      hash: entryHash(GENESIS_HASH, r),
    }));
    expect(await verifyChain(records)).toMatchObject({
      ok: false,
      entries: 1,
      brokenAt: { seq: 2, reason: 'prev_hash_mismatch' },
    });
  });

  it('reports only the first break when there are several', async () => {
    const records = replaceAt(
      replaceAt(chain(9), 7, (r) => ({ ...r, actorId: 'x' })),
      4,
      (r) => ({ ...r, actorId: 'y' }),
    );
    expect(await verifyChain(records)).toMatchObject({ ok: false, entries: 3, brokenAt: { seq: 4 } });
  });
});
