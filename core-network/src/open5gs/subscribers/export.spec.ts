import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../subscribers/profile.js';
import {
  applyScript,
  exportDeletionsJson,
  exportMongoimportJson,
  MONGOIMPORT_COMMAND,
  MONGOIMPORT_DELETE_COMMAND,
  planExportDeletions,
  toCanonicalExtendedJson,
} from './export.js';
import { buildSubscriberDocument } from './subscriber-document.js';

const secret = { k: Buffer.alloc(16, 0xab), opc: Buffer.alloc(16, 0xcd), amf: Buffer.from('8000', 'hex') };
const doc = (imsi: string, staticIpv4: string | null = null) =>
  buildSubscriberDocument({
    imsi,
    msisdn: '15551230001',
    secret,
    profile: DEFAULT_PROFILE,
    status: 'active',
    sqn: 96,
    staticIpv4,
  });

/** Reads canonical Extended JSON back into the builder's representation (int32 → number, int64 → bigint). */
const fromExtendedJson = (line: string): unknown =>
  JSON.parse(line, (_k, v: unknown) => {
    if (typeof v !== 'object' || v === null) return v;
    if ('$numberInt' in v) return Number(v.$numberInt);
    if ('$numberLong' in v) return BigInt(String(v.$numberLong));
    return v;
  });

describe('exportMongoimportJson', () => {
  it('writes one canonical Extended JSON document per line that reads back to the built document', () => {
    const docs = [doc('001010000000001'), doc('001010000000002', '10.45.0.2')];
    const out = exportMongoimportJson(docs);
    const lines = out.split('\n');

    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(lines.slice(0, 2).map(fromExtendedJson)).toEqual(docs);
  });

  it('types every number explicitly: int32 as $numberInt, SQN as $numberLong, nothing left to guess', () => {
    const line = exportMongoimportJson([doc('001010000000001')]);

    expect(line).toContain('"sqn":{"$numberLong":"96"}');
    expect(line).toContain('"subscriber_status":{"$numberInt":"0"}');
    expect(line).toContain('"downlink":{"value":{"$numberInt":"1"},"unit":{"$numberInt":"3"}}');
    // Outside Extended JSON wrappers, no bare number remains.
    expect(line.replace(/"\$number(Int|Long)":"-?\d+"/g, '')).not.toMatch(/:\s*-?\d/);
  });

  it('keeps the builder’s key order and writes null and empty arrays as JSON', () => {
    const line = exportMongoimportJson([doc('001010000000001')]);

    expect(
      line.startsWith(
        '{"schema_version":{"$numberInt":"1"},"imsi":"001010000000001","msisdn":["15551230001"],"imeisv":[]',
      ),
    ).toBe(true);
    expect(line).toContain('"op":null');
  });

  it('returns an empty string for no documents', () => {
    expect(exportMongoimportJson([])).toBe('');
  });

  it('writes non-int32 numbers as doubles, like the MongoDB driver, and refuses what JSON cannot hold', () => {
    expect(toCanonicalExtendedJson(2 ** 31)).toBe('{"$numberDouble":"2147483648"}');
    expect(toCanonicalExtendedJson(1.5)).toBe('{"$numberDouble":"1.5"}');
    expect(toCanonicalExtendedJson(-Infinity)).toBe('{"$numberDouble":"-Infinity"}');
    expect(() => toCanonicalExtendedJson(() => 1)).toThrow(TypeError);
  });

  it('documents the mongoimport command it is made for', () => {
    expect(MONGOIMPORT_COMMAND).toBe(
      'mongoimport --db open5gs --collection subscribers --mode upsert --upsertFields imsi --file subscribers.json',
    );
  });
});

describe('planExportDeletions', () => {
  const plan = (over: Partial<Parameters<typeof planExportDeletions>[0]>) =>
    planExportDeletions({ active: new Set(), everExported: [], requested: [], barred: [], ...over });

  it('deletes a SIM an earlier export carried once it is barred or unassigned', () => {
    expect(plan({ everExported: ['001010000000002', '001010000000001'] })).toEqual([
      '001010000000001',
      '001010000000002',
    ]);
  });

  it('keeps deleting it in every later export, so loading only the latest export is enough', () => {
    // The IMSI was carried as a deletion before (still "ever exported") and is still not active.
    expect(plan({ everExported: ['001010000000001'], barred: ['001010000000001'] })).toEqual([
      '001010000000001',
    ]);
  });

  it('deletes barred SIMs and requested deletions no export carried (pushed by a live sync before)', () => {
    expect(plan({ requested: ['001010000000003'], barred: ['001010000000004'] })).toEqual([
      '001010000000003',
      '001010000000004',
    ]);
  });

  it('never deletes an active subscriber: reassigned, unbarred, or one whose document could not be built', () => {
    const active = new Set(['001010000000001', '001010000000002']);
    expect(
      plan({
        active,
        everExported: ['001010000000001', '001010000000005'],
        requested: ['001010000000002'],
        barred: [],
      }),
    ).toEqual(['001010000000005']);
  });
});

describe('deletions file and apply script', () => {
  it('writes one {"imsi"} document per line, the field --upsertFields imsi matches on', () => {
    expect(exportDeletionsJson(['001010000000001', '001010000000002'])).toBe(
      '{"imsi":"001010000000001"}\n{"imsi":"001010000000002"}\n',
    );
    expect(exportDeletionsJson([])).toBe('');
  });

  // mongo-tools mongoimport/mongoimport.go: `--mode delete` exists (TOOLS-2268, 100.0.0) and matches on
  // --upsertFields, `_id` when absent — which our lines do not carry.
  it('deletes with --mode delete matching on imsi, in the same database and collection as the upsert', () => {
    expect(MONGOIMPORT_DELETE_COMMAND).toBe(
      'mongoimport --db open5gs --collection subscribers --mode delete --upsertFields imsi --file deletions.json',
    );
  });

  it('apply.sh runs both loads from its own directory, stops on the first failure, skips an empty file', () => {
    const script = applyScript({
      exportedAt: '2026-12-04T05:00:00.000Z',
      by: 'Asma Khan\n rm -rf /',
      documents: 2,
      deletions: 1,
    });
    const lines = script.split('\n');
    expect(lines[0]).toBe('#!/bin/sh');
    expect(lines).toContain('set -eu');
    expect(lines).toContain('cd "$(dirname "$0")"');
    expect(lines).toContain(`if [ -s subscribers.json ]; then ${MONGOIMPORT_COMMAND} "$@"; fi`);
    expect(lines).toContain(`if [ -s deletions.json ]; then ${MONGOIMPORT_DELETE_COMMAND} "$@"; fi`);
    // A name cannot break out of its comment line.
    expect(lines.filter((l) => l.includes('rm -rf'))).toEqual([
      '# Pakawaaz subscriber export of 2026-12-04T05:00:00.000Z by Asma Khan? rm -rf /:',
    ]);
  });
});
