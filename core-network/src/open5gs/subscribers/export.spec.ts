import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../subscribers/profile.js';
import { exportMongoimportJson, MONGOIMPORT_COMMAND, toCanonicalExtendedJson } from './export.js';
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
