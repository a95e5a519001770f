import type { Open5gsSubscriberDocument } from './subscriber-document.js';

/**
 * How to load the export. `--mode upsert` replaces each document with the same IMSI wholesale, which also
 * resets what Open5GS wrote at run time (SQN: the next authentication of an attached UE resynchronises once
 * via AUTS; IMEISV; serving MME) and, being a replace, does not make the HSS push the change to the MME. It
 * suits first provisioning and the embedded mode; with MongoDB reachable, the reconciler's field updates do not
 * have those side effects. Needs mongoimport ≥ 100.0 (Extended JSON v2); not `--legacy`.
 */
export const MONGOIMPORT_COMMAND =
  'mongoimport --db open5gs --collection subscribers --mode upsert --upsertFields imsi --file subscribers.json';

/**
 * Newline-delimited canonical Extended JSON v2, one subscriber per line, for `mongoimport`. Canonical rather
 * than relaxed: every integer is spelt `{"$numberInt": …}` so that nothing can turn it into a double, which
 * Open5GS would silently ignore; SQN is `{"$numberLong": …}` as Open5GS keeps it. Key order is the builder's.
 * The output contains K and OPc in clear: write it to a 0600 file and never log it.
 */
export function exportMongoimportJson(docs: Iterable<Open5gsSubscriberDocument>): string {
  let out = '';
  for (const doc of docs) out += `${toCanonicalExtendedJson(doc)}\n`;
  return out;
}

/** One value as canonical Extended JSON v2 (the subset of BSON types a subscriber document uses). */
export function toCanonicalExtendedJson(value: unknown): string {
  if (typeof value === 'bigint') return `{"$numberLong":"${value}"}`;
  if (typeof value === 'number') return canonicalNumber(value);
  if (typeof value !== 'object' || value === null) {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`Extended JSON cannot represent a ${typeof value}`);
    return json;
  }
  if (Array.isArray(value))
    return `[${value.map((v: unknown) => toCanonicalExtendedJson(v ?? null)).join(',')}]`;
  const fields: string[] = [];
  for (const [k, v] of Object.entries(value))
    if (v !== undefined) fields.push(`${JSON.stringify(k)}:${toCanonicalExtendedJson(v)}`);
  return `{${fields.join(',')}}`;
}

/** Same types the MongoDB driver writes for a JS number: int32 when it fits, a double otherwise. */
function canonicalNumber(n: number): string {
  if (Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31) return `{"$numberInt":"${n}"}`;
  // String() spells the non-finite doubles "Infinity", "-Infinity" and "NaN", as Extended JSON wants them.
  return `{"$numberDouble":"${String(n)}"}`;
}
