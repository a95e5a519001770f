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
 * How to load the deletions. mongoimport's `--mode delete` (mongo-tools ≥ 100.0, mongoimport/mongoimport.go)
 * deletes the document matching each imported one on `--upsertFields` (default `_id`, which our lines do not
 * carry, so `imsi` is required), skips lines without that field and ignores lines that match nothing; it
 * deletes one document per line, and Open5GS keeps one document per IMSI.
 */
export const MONGOIMPORT_DELETE_COMMAND =
  'mongoimport --db open5gs --collection subscribers --mode delete --upsertFields imsi --file deletions.json';

/** `{"imsi":…}` per line: what `--mode delete --upsertFields imsi` matches on. Holds no secret. */
export function exportDeletionsJson(imsis: Iterable<string>): string {
  let out = '';
  for (const imsi of imsis) out += `${JSON.stringify({ imsi })}\n`;
  return out;
}

/**
 * The IMSIs one export deletes from Open5GS. Pure. Every IMSI that any earlier export carried, that Pakawaaz
 * asked to delete (unassigned) or that is barred, unless it is active now: an active subscriber is never
 * deleted, even when its document could not be built (deleting an active SIM is the worse mistake). Earlier
 * exports count whether or not they were loaded, so loading only the latest export is always enough;
 * deleting what is already gone is a no-op for mongoimport.
 */
export function planExportDeletions(input: {
  readonly active: ReadonlySet<string>;
  readonly everExported: Iterable<string>;
  readonly requested: Iterable<string>;
  readonly barred: Iterable<string>;
}): string[] {
  const out = new Set<string>();
  for (const source of [input.everExported, input.requested, input.barred])
    for (const imsi of source) if (!input.active.has(imsi)) out.add(imsi);
  return [...out].sort();
}

/**
 * `apply.sh` for an export directory: loads the documents, then the deletions, from the directory the script
 * is in; extra arguments go to both mongoimport runs (e.g. `--uri mongodb://host:27017`). An empty file is
 * skipped rather than handed to mongoimport.
 */
export function applyScript(meta: {
  exportedAt: string;
  by: string;
  documents: number;
  deletions: number;
}): string {
  const oneLine = (s: string) => s.replace(/[^\x20-\x7e]/g, '?');
  return [
    '#!/bin/sh',
    `# Pakawaaz subscriber export of ${oneLine(meta.exportedAt)} by ${oneLine(meta.by)}:`,
    `# ${meta.documents} documents to upsert (subscribers.json), ${meta.deletions} to delete (deletions.json).`,
    '# Usage: ./apply.sh [mongoimport connection options, e.g. --uri mongodb://127.0.0.1:27017]',
    'set -eu',
    'cd "$(dirname "$0")"',
    `if [ -s subscribers.json ]; then ${MONGOIMPORT_COMMAND} "$@"; fi`,
    `if [ -s deletions.json ]; then ${MONGOIMPORT_DELETE_COMMAND} "$@"; fi`,
    '',
  ].join('\n');
}

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
