import { bigint, index, integer, jsonb, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { jobLeaseColumns } from '@pakawaaz/platform';
import { coreNetworkSchema } from '../core-network.schema.js';
import { bytea } from '../crypto/data-keys.schema.js';

/**
 * The SIM inventory. K and OPc are stored only encrypted (AES-256-GCM under a data key, AAD binds each
 * ciphertext to its IMSI and field). `secrets_mac` is an HMAC of K‖OPc under a key derived from the KEK, so
 * a re-import can tell "same SIM" from "conflicting SIM" without decrypting anything.
 */
export const simCards = coreNetworkSchema.table(
  'sim_cards',
  {
    imsi: text('imsi').primaryKey(),
    /** Null only for batches that carry none (Magma NMS exports). */
    iccid: text('iccid').unique(),
    msisdn: text('msisdn'),
    batch: text('batch'),
    dataKeyId: uuid('data_key_id').notNull(),
    kEnc: bytea('k_enc').notNull(),
    opcEnc: bytea('opc_enc').notNull(),
    secretsMac: text('secrets_mac').notNull(),
    /** Authentication management field used for the vectors Pakawaaz generates (hex, 4 digits). */
    amf: text('amf').notNull().default('8000'),
    /** SEQ part of Pakawaaz's own SQN (TS 33.102 Annex C); its IND is distinct from Open5GS's HSS. */
    sqnSeq: bigint('sqn_seq', { mode: 'number' }).notNull().default(0),
    status: text('status', { enum: ['available', 'assigned', 'retired'] })
      .notNull()
      .default('available'),
    importJobId: uuid('import_job_id'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('sim_cards_msisdn_idx').on(t.msisdn),
    index('sim_cards_batch_idx').on(t.batch),
    index('sim_cards_status_idx').on(t.status),
  ],
);

export type SimImportError = { line: number; reason: string; imsi?: string };

/**
 * A bulk import of a vendor batch. The uploaded CSV is kept encrypted (it holds K/OPc in clear), in blocks of
 * whole lines (`sim_import_blocks`), so a job interrupted by a crash resumes from `committed_lines`; chunks
 * commit all-or-nothing. `source_enc` is the single-blob form of versions before blocks (no longer written).
 */
export const simImportJobs = coreNetworkSchema.table('sim_import_jobs', {
  id: uuid('id').primaryKey(),
  filename: text('filename').notNull(),
  status: text('status', { enum: ['queued', 'running', 'completed', 'failed'] }).notNull(),
  sourceSha256: text('source_sha256').notNull(),
  dataKeyId: uuid('data_key_id').notNull(),
  sourceEnc: bytea('source_enc'),
  /** The CSV header line (column names only, no secret): the column mapping every block is parsed with. */
  sourceHeader: text('source_header'),
  /** Processing runs started (start-ups included): bounded, so a job that keeps failing is not retried forever. */
  attempts: integer('attempts').notNull().default(0),
  /** Which process runs the job, until when: one at a time across the nodes (see LeasedJobs). */
  ...jobLeaseColumns(),
  totalRows: integer('total_rows').notNull().default(0),
  committedLines: integer('committed_lines').notNull().default(0),
  imported: integer('imported').notNull().default(0),
  duplicates: integer('duplicates').notNull().default(0),
  conflicts: integer('conflicts').notNull().default(0),
  invalid: integer('invalid').notNull().default(0),
  errors: jsonb('errors').$type<SimImportError[]>().notNull().default([]),
  failure: text('failure'),
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
});

/**
 * The uploaded CSV of an unfinished import, in blocks of whole lines sealed under the job's data key (AAD binds
 * each block to its job and place). Written while the upload is read, read back one block at a time while the
 * job runs, deleted when it ends: neither side ever holds the whole file.
 */
export const simImportBlocks = coreNetworkSchema.table(
  'sim_import_blocks',
  {
    jobId: uuid('job_id').notNull(),
    seq: integer('seq').notNull(),
    /** Line numbers (1-based, in the uploaded file) of the block's first and last line. */
    firstLine: integer('first_line').notNull(),
    lastLine: integer('last_line').notNull(),
    dataEnc: bytea('data_enc').notNull(),
    /** Blocks of an upload cut off by a crash have no job row; they are deleted once surely abandoned. */
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.seq] })],
);
