import { inspect, isDeepStrictEqual } from 'node:util';
import {
  BSON,
  Double,
  Int32,
  Long,
  MongoBulkWriteError,
  MongoServerError,
  ObjectId,
  type AnyBulkWriteOperation,
  type Document,
  type Filter,
} from 'mongodb';
import type { SubscribersCollection } from '../../src/open5gs/subscribers/mongo-subscriber-store.js';

/*
 * An in-memory `subscribers` collection with the MongoDB semantics the Open5GS store relies on, so the real
 * adapter (mongo-subscriber-store.ts) runs on it when there is no MongoDB. The same behavioural suite
 * (test/medium/open5gs-store.medium.spec.ts) runs against this and, with OPEN5GS_MONGODB_URL, against a real
 * server, which is what keeps the two in step. What it implements, from the MongoDB manual:
 *
 *  - Documents are kept as BSON bytes written by the driver's own serializer, and read back with
 *    `promoteValues: false`: a JS integer in int32 range is int32, any other number a double, a bigint int64,
 *    exactly as the driver sends them (https://www.mongodb.com/docs/drivers/node/current/fundamentals/bson/).
 *  - Upsert: "the update creates a base document from the equality clauses in the <filter> parameter, and then
 *    applies the expressions from the <update> parameter"; the server adds an ObjectId `_id` first
 *    (https://www.mongodb.com/docs/manual/reference/method/db.collection.updateOne/#upsert).
 *  - `$set`: "If you specify a dotted path for a non-existent field, $set will create the embedded documents as
 *    needed" (https://www.mongodb.com/docs/manual/reference/operator/update/set/) — embedded *documents*, also
 *    for numeric path parts. A path through a value that is neither a document nor an array (null, a string…)
 *    is refused: error 28 PathNotViable, "Cannot create field 'k' in element {security: null}".
 *  - `$setOnInsert`: "If the update operation does not result in an insert, $setOnInsert does nothing"
 *    (https://www.mongodb.com/docs/manual/reference/operator/update/setOnInsert/).
 *  - Paths of one update may not overlap, across operators too ($set `a` with $setOnInsert `a.b`): error 40
 *    ConflictingUpdateOperators, "Updating the path 'a.b' would create a conflict at 'a'", even when the
 *    update does not insert.
 *  - "Starting in MongoDB 5.0, update operators process document fields with string-based names in
 *    lexicographic order" (https://www.mongodb.com/docs/manual/reference/operator/update/#behavior).
 *  - modifiedCount: an update that leaves the document as it was is not counted ("If the update operation
 *    results in no change to the document, such as setting the value of the field to its current value,
 *    nModified can be less than n", https://www.mongodb.com/docs/manual/reference/command/update/#output). The
 *    server compares BSON values binarily, so int32 1 over double 1.0 *is* a change; comparing the BSON bytes
 *    does the same.
 *  - `$inc` (used by tests to play the HSS advancing the SQN): a missing field is set to the amount; int32
 *    plus int32 stays int32 unless it overflows, then int64; with an int64 it is int64, with a double a
 *    double; a non-numeric field is error 14 TypeMismatch
 *    (https://www.mongodb.com/docs/manual/reference/operator/update/inc/).
 *  - `$unset` of a missing field does nothing (https://www.mongodb.com/docs/manual/reference/operator/update/unset/).
 *  - The unique index on `imsi`: a second document with the same IMSI is error 11000.
 * Anything else (other operators, other filters) throws, so a test can never silently rely on semantics this
 * collection does not have.
 */

// The methods are async like the driver's (errors arrive as rejections), though nothing here waits.
/* eslint-disable @typescript-eslint/require-await */

type Doc = Record<string, unknown>;
type UpdateResult = { matchedCount: number; modifiedCount: number; upsertedCount: number };
type Update = { $set?: Doc; $setOnInsert?: Doc; $inc?: Doc; $unset?: Doc };

const OPERATORS = new Set(['$set', '$setOnInsert', '$inc', '$unset']);
const READ = { promoteValues: false } as const;

export class MemorySubscribersCollection implements SubscribersCollection {
  /** BSON bytes by IMSI (the unique index); every read deserialises a fresh copy, as a driver read does. */
  private readonly docs = new Map<string, Uint8Array>();

  async createIndex(keys: { imsi: 1 }, options: { unique: true; name: string }): Promise<string> {
    if (!isDeepStrictEqual(keys, { imsi: 1 }) || options.unique !== true)
      throw new Error('the in-memory collection has exactly one index: unique on imsi');
    return options.name;
  }

  async bulkWrite(
    operations: AnyBulkWriteOperation[],
    options: { ordered: false },
  ): Promise<{ upsertedCount: number; modifiedCount: number }> {
    if (options.ordered !== false)
      throw new Error('the in-memory collection runs unordered bulk writes only');
    const result = { upsertedCount: 0, modifiedCount: 0, matchedCount: 0 };
    const writeErrors: { index: number; code: number; errmsg: string }[] = [];
    operations.forEach((op, index) => {
      if (!('updateOne' in op) || op.updateOne.upsert !== true)
        throw new Error('the in-memory collection bulk-writes only updateOne with upsert');
      try {
        const r = this.apply(op.updateOne.filter, op.updateOne.update as Update, true);
        result.upsertedCount += r.upsertedCount;
        result.modifiedCount += r.modifiedCount;
        result.matchedCount += r.matchedCount;
      } catch (err) {
        if (!(err instanceof MongoServerError)) throw err;
        writeErrors.push({ index, code: Number(err.code), errmsg: err.message });
      }
    });
    // Unordered: every operation ran; the failures come back together, with the counts of what succeeded.
    // The driver's error for a partly failed bulk write; its constructor is internal to the driver, so a
    // driver upgrade that changes it fails these tests loudly rather than silently.
    if (writeErrors.length > 0)
      throw new MongoBulkWriteError(
        { message: writeErrors[0]!.errmsg, code: writeErrors[0]!.code, writeErrors } as never,
        result as never,
      );
    return result;
  }

  async updateOne(
    filter: Filter<Document>,
    update: Document,
    options: { upsert?: boolean } = {},
  ): Promise<UpdateResult> {
    return this.apply(filter, update, options.upsert === true);
  }

  async insertOne(doc: Document): Promise<{ insertedId: unknown }> {
    const imsi = imsiOf(doc);
    if (this.docs.has(imsi)) throw duplicateKey(imsi);
    const stored = { _id: (doc['_id'] as unknown) ?? new ObjectId(), ...doc };
    this.docs.set(imsi, BSON.serialize(stored));
    return { insertedId: stored._id };
  }

  async findOne(filter: { imsi: string }, options: typeof READ): Promise<Document | null> {
    requireRawReads(options);
    const bytes = this.docs.get(equalityImsi(filter));
    return bytes ? BSON.deserialize(bytes, READ) : null;
  }

  find(
    filter: Filter<Document>,
    options: { promoteValues: false; batchSize?: number },
  ): AsyncIterable<Document> & { close(): Promise<void> } {
    requireRawReads(options);
    const wanted = imsiSet(filter);
    const snapshot = [...this.docs].filter(([imsi]) => wanted === null || wanted.has(imsi));
    return {
      async *[Symbol.asyncIterator]() {
        for (const [, bytes] of snapshot) yield BSON.deserialize(bytes, READ);
      },
      close: async () => undefined,
    };
  }

  async deleteMany(filter: Filter<Document>): Promise<{ deletedCount: number }> {
    const wanted = imsiSet(filter);
    if (wanted === null) throw new Error('the in-memory collection deletes by { imsi: { $in } } only');
    return { deletedCount: [...wanted].filter((imsi) => this.docs.delete(imsi)).length };
  }

  private apply(filter: Filter<Document>, update: Update, upsert: boolean): UpdateResult {
    const imsi = equalityImsi(filter);
    const mods = modifications(update);
    const bytes = this.docs.get(imsi);
    if (bytes === undefined) {
      if (!upsert) return { matchedCount: 0, modifiedCount: 0, upsertedCount: 0 };
      const doc: Doc = { _id: new ObjectId(), imsi };
      for (const m of mods) m.apply(doc, true);
      if (imsiOf(doc) !== imsi) throw new Error('the in-memory collection does not support changing imsi');
      this.docs.set(imsi, BSON.serialize(doc));
      return { matchedCount: 0, modifiedCount: 0, upsertedCount: 1 };
    }
    const doc = BSON.deserialize(bytes, READ);
    for (const m of mods) m.apply(doc, false);
    if (imsiOf(doc) !== imsi) throw new Error('the in-memory collection does not support changing imsi');
    const after = BSON.serialize(doc);
    const modified = !Buffer.from(after).equals(Buffer.from(bytes));
    if (modified) this.docs.set(imsi, after);
    return { matchedCount: 1, modifiedCount: modified ? 1 : 0, upsertedCount: 0 };
  }
}

type Modification = { path: string; apply(doc: Doc, inserting: boolean): void };

/** The update's modifications, checked for overlapping paths, in the order the server applies them. */
function modifications(update: Update): Modification[] {
  const mods: Modification[] = [];
  for (const [op, fields] of Object.entries(update)) {
    if (!OPERATORS.has(op)) throw new Error(`the in-memory collection does not implement ${op}`);
    for (const [path, value] of Object.entries(fields)) {
      if (path.split('.').some((part) => part === '' || part.startsWith('$')))
        throw new Error(`the in-memory collection does not implement the path '${path}'`);
      mods.push({ path, apply: modifier(op as keyof Update, path, value) });
    }
  }
  for (const a of mods)
    for (const b of mods)
      if (a !== b && (b.path === a.path || b.path.startsWith(`${a.path}.`)))
        throw serverError(40, `Updating the path '${b.path}' would create a conflict at '${a.path}'`);
  return mods.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function modifier(op: keyof Update, path: string, value: unknown): Modification['apply'] {
  switch (op) {
    case '$set':
      return (doc) => setPath(doc, path, value);
    case '$setOnInsert':
      return (doc, inserting) => {
        if (inserting) setPath(doc, path, value);
      };
    case '$unset':
      return (doc) => unsetPath(doc, path);
    case '$inc':
      return (doc) => {
        const current = getPath(doc, path);
        setPath(doc, path, current === undefined ? value : increment(current, value, path));
      };
  }
}

function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: unknown = doc;
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    // Only a missing field is created; a null one is a value, and the path through it is refused.
    if (Array.isArray(node)) {
      if (!/^\d+$/.test(part)) throw notViable(parts[i - 1] ?? part, node, part);
      const index = Number(part);
      while (node.length < index) node.push(null);
      if (last) node[index] = value;
      else if (node[index] === undefined) node[index] = {};
      node = node[index];
    } else if (isDocument(node)) {
      if (last) node[part] = value;
      else if (node[part] === undefined) node[part] = {};
      node = node[part];
    } else {
      throw notViable(parts[i - 1] ?? part, node, part);
    }
  }
}

function getPath(doc: Doc, path: string): unknown {
  let node: unknown = doc;
  for (const part of path.split('.')) {
    if (Array.isArray(node) && /^\d+$/.test(part)) node = node[Number(part)];
    else if (isDocument(node)) node = node[part];
    else return undefined;
  }
  return node;
}

function unsetPath(doc: Doc, path: string): void {
  const parts = path.split('.');
  const parent = parts.length === 1 ? doc : getPath(doc, parts.slice(0, -1).join('.'));
  const last = parts.at(-1)!;
  // $unset of an array element sets it to null rather than shortening the array.
  if (Array.isArray(parent) && /^\d+$/.test(last) && Number(last) < parent.length)
    parent[Number(last)] = null;
  else if (isDocument(parent)) delete parent[last];
}

type Numeric = { kind: 'int32' | 'int64' | 'double'; value: bigint | number };

function numeric(v: unknown): Numeric | null {
  if (v instanceof Int32) return { kind: 'int32', value: BigInt(v.value) };
  if (v instanceof Long) return { kind: 'int64', value: v.toBigInt() };
  if (v instanceof Double) return { kind: 'double', value: v.value };
  if (typeof v === 'bigint') return { kind: 'int64', value: v };
  if (typeof v === 'number')
    return Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31
      ? { kind: 'int32', value: BigInt(v) }
      : { kind: 'double', value: v };
  return null;
}

function increment(current: unknown, amount: unknown, path: string): unknown {
  const a = numeric(current);
  const b = numeric(amount);
  if (b === null)
    throw serverError(14, `Cannot increment with non-numeric argument: {${path}: ${String(amount)}}`);
  if (a === null)
    throw serverError(
      14,
      `Cannot apply $inc to a value of non-numeric type. The field '${path}' is not numeric`,
    );
  if (a.kind === 'double' || b.kind === 'double') return new Double(Number(a.value) + Number(b.value));
  const sum = BigInt(a.value) + BigInt(b.value);
  const fitsInt32 = sum >= -(2n ** 31n) && sum < 2n ** 31n;
  return a.kind === 'int32' && b.kind === 'int32' && fitsInt32
    ? new Int32(Number(sum))
    : Long.fromBigInt(sum);
}

function isDocument(v: unknown): v is Doc {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !('_bsontype' in v)
  );
}

function notViable(field: string, value: unknown, part: string): MongoServerError {
  const shown = inspect(value, { breakLength: Infinity });
  return serverError(28, `Cannot create field '${part}' in element {${field}: ${shown}}`);
}

function duplicateKey(imsi: string): MongoServerError {
  return serverError(
    11000,
    `E11000 duplicate key error collection: subscribers index: imsi_1 dup key: { imsi: "${imsi}" }`,
  );
}

function serverError(code: number, message: string): MongoServerError {
  return new MongoServerError({ message, errmsg: message, code });
}

function imsiOf(doc: Document): string {
  const imsi: unknown = doc['imsi'];
  if (typeof imsi !== 'string')
    throw new Error('the in-memory collection keeps documents with a string imsi only');
  return imsi;
}

function equalityImsi(filter: Filter<Document>): string {
  const keys = Object.keys(filter);
  if (keys.length !== 1 || typeof filter['imsi'] !== 'string')
    throw new Error('the in-memory collection matches { imsi: "<IMSI>" } only');
  return filter['imsi'];
}

/** `{}` → every IMSI (null); `{ imsi: { $in: [...] } }` → those. */
function imsiSet(filter: Filter<Document>): Set<string> | null {
  if (Object.keys(filter).length === 0) return null;
  const $in = (filter['imsi'] as { $in?: unknown } | undefined)?.$in;
  if (Object.keys(filter).length !== 1 || !Array.isArray($in))
    throw new Error('the in-memory collection matches {} or { imsi: { $in: [...] } } only');
  return new Set($in as string[]);
}

function requireRawReads(options: { promoteValues?: boolean }): void {
  if (options.promoteValues !== false)
    throw new Error('the in-memory collection reads with promoteValues: false only, as the store does');
}
