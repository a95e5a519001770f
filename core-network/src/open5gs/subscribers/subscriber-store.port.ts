import type { StoredSubscriberDocument } from './reconcile.js';
import {
  OPEN5GS_RUNTIME_FIELDS,
  OPEN5GS_RUNTIME_SECURITY_FIELDS,
  type Open5gsSubscriberDocument,
} from './subscriber-document.js';

/** Open5GS's `subscribers` collection, as the reconciler needs it. */
export type Open5gsSubscriberStore = {
  /** Creates or updates documents by IMSI; idempotent (writing the same documents again modifies nothing). */
  upsert(docs: readonly Open5gsSubscriberDocument[]): Promise<{ upserted: number; modified: number }>;
  /** Deletes documents by IMSI; returns how many existed. */
  remove(imsis: readonly string[]): Promise<number>;
  /** Stored documents, all of them or those of the given IMSIs. */
  fetch(imsis?: readonly string[]): AsyncIterable<StoredSubscriberDocument>;
  close(): Promise<void>;
};

export const OPEN5GS_SUBSCRIBER_STORE = Symbol.for('pakawaaz.core-network.Open5gsSubscriberStore');

export type SubscriberUpdate = {
  readonly filter: { readonly imsi: string };
  readonly update: {
    readonly $set: Readonly<Record<string, unknown>>;
    readonly $setOnInsert: Readonly<Record<string, unknown>>;
  };
};

const INSERT_ONLY: ReadonlySet<string> = new Set(['__v', ...OPEN5GS_RUNTIME_FIELDS]);
const INSERT_ONLY_SECURITY: ReadonlySet<string> = new Set(OPEN5GS_RUNTIME_SECURITY_FIELDS);

/**
 * The upsert for one document: `$set` for what Pakawaaz owns, `$setOnInsert` for what Open5GS owns once the
 * document exists (SQN, IMEISV, serving MME, purge flag). Field updates rather than a whole-document replace,
 * for two reasons found in Open5GS:
 *  - a replace would roll back the SQN the HSS/UDM advance on every authentication vector;
 *  - the HSS, when it watches the collection (change streams, `hss.use_mongodb_change_stream: true`, off by
 *    default in 2.7.7: src/hss/hss-sm.c), only pushes changes to the MME (IDR) for *update* events, keyed on
 *    `updateDescription.updatedFields` (src/hss/hss-context.c hss_handle_change_event); a replace event has
 *    no updateDescription, so a change would not reach an attached 4G UE.
 * `security` is set field by field so that `security.sqn` survives.
 */
export function toSubscriberUpdate(doc: Open5gsSubscriberDocument): SubscriberUpdate {
  const $set: Record<string, unknown> = {};
  const $setOnInsert: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(doc)) {
    if (field === 'imsi') continue; // an upsert copies it from the filter
    if (field !== 'security') (INSERT_ONLY.has(field) ? $setOnInsert : $set)[field] = value;
  }
  for (const [field, value] of Object.entries(doc.security)) {
    (INSERT_ONLY_SECURITY.has(field) ? $setOnInsert : $set)[`security.${field}`] = value;
  }
  return { filter: { imsi: doc.imsi }, update: { $set, $setOnInsert } };
}
