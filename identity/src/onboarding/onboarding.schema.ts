import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { bytea, jobLeaseColumns } from '@pakawaaz/platform';
import { identitySchema } from '../identity.schema.js';

export type UserImportError = { line: number; reason: string; username?: string };
export const USER_IMPORT_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;

/**
 * A bulk onboarding of officials from a CSV file. The upload is kept in blocks of whole lines
 * (`user_import_blocks`) until the job ends, so a job interrupted by a crash resumes from `committed_lines`;
 * chunks commit all-or-nothing with the counters. The job acts with its creator's authority, frozen here
 * (`scope_ids`: null for a national caller), also when it resumes after a restart.
 */
/** The `source_header` of a directory sync's job: DirectorySyncJobs runs it, from LDAP, not from blocks. */
export const DIRECTORY_SYNC_SOURCE = 'ldap';

export const userImportJobs = identitySchema.table(
  'user_import_jobs',
  {
    id: uuid('id').primaryKey(),
    filename: text('filename').notNull(),
    /** A dry run plans and counts, and changes nothing. */
    dryRun: boolean('dry_run').notNull(),
    status: text('status', { enum: USER_IMPORT_STATUSES }).notNull(),
    sourceSha256: text('source_sha256').notNull(),
    sourceHeader: text('source_header').notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** Which process runs the job, until when: one at a time across the nodes (see LeasedJobs). */
    ...jobLeaseColumns(),
    totalRows: integer('total_rows').notNull().default(0),
    committedLines: integer('committed_lines').notNull().default(0),
    created: integer('created').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    unchanged: integer('unchanged').notNull().default(0),
    invalid: integer('invalid').notNull().default(0),
    /** Officials disabled because they left the directory (directory syncs only; never deleted). */
    disabled: integer('disabled').notNull().default(0),
    /** Rows naming a SIM to assign (validated; assigned by a SIM operator: see the README). */
    imsis: integer('imsis').notNull().default(0),
    errors: jsonb('errors').$type<UserImportError[]>().notNull().default([]),
    failure: text('failure'),
    createdBy: text('created_by').notNull(),
    createdByName: text('created_by_name').notNull(),
    scopeIds: text('scope_ids').array(),
    /** When the enrolment codes were handed out (once); null while they wait, sealed, in user_import_codes. */
    codesDownloadedAt: timestamp('codes_downloaded_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
  },
  // One unfinished job a directory sync (its `filename` names the sync): two runs of a sync at once would both
  // create its new officials and disable those gone. The database refuses the second, whichever node asks.
  (t) => [
    uniqueIndex('user_import_jobs_one_sync_run_idx')
      .on(t.filename)
      .where(sql`source_header = 'ldap' and status in ('queued', 'running')`),
  ],
);

/** The upload of an unfinished job in blocks of whole lines; deleted when the job ends. */
export const userImportBlocks = identitySchema.table(
  'user_import_blocks',
  {
    jobId: uuid('job_id').notNull(),
    seq: integer('seq').notNull(),
    firstLine: integer('first_line').notNull(),
    lastLine: integer('last_line').notNull(),
    data: bytea('data').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.seq] })],
);

/**
 * The enrolment codes of a chunk of created officials (CSV lines `username,code,expires,imsi`), sealed with
 * the identity secrets key until their one download, then deleted. Only hashes stay in `user_enrolments`.
 */
export const userImportCodes = identitySchema.table(
  'user_import_codes',
  {
    jobId: uuid('job_id').notNull(),
    lastLine: integer('last_line').notNull(),
    sealed: text('sealed').notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.lastLine] })],
);

/**
 * One-time enrolment codes: the official sets their own password with one (then enrols TOTP at the first
 * sign-in). Stored as SHA-256 of the code — 128 random bits, so a fast hash is enough, as for API tokens —
 * single use, expiring; at most one open code per user.
 */
export const userEnrolments = identitySchema.table(
  'user_enrolments',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull(),
    codeHash: text('code_hash').notNull(),
    /** The import job (or directory sync run) that issued it. */
    issuedBy: text('issued_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('user_enrolments_code_idx').on(t.codeHash),
    uniqueIndex('user_enrolments_one_open_idx')
      .on(t.userId)
      .where(sql`${t.usedAt} is null`),
    index('user_enrolments_expires_idx').on(t.expiresAt),
  ],
);
