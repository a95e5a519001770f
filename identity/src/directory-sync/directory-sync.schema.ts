import { boolean, integer, jsonb, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { identitySchema } from '../identity.schema.js';
import type { AttributeMapping } from './ldap-mapping.js';

/**
 * A directory (LDAP / Active Directory) whose people are officials here. The bind password is sealed with
 * the identity secrets key (never returned, never logged). `interval_minutes` null: run by hand only.
 */
export const directorySyncs = identitySchema.table('directory_syncs', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull().unique(),
  url: text('url').notNull(),
  /** ldap:// upgraded with StartTLS before the bind. */
  startTls: boolean('start_tls').notNull().default(false),
  /** ldap:// without StartTLS, accepted explicitly (the bind password crosses the network in clear). */
  allowPlaintext: boolean('allow_plaintext').notNull().default(false),
  /** PEM: the CAs trusted for the directory's certificate; null: the system's CAs. */
  caCertificates: text('ca_certificates'),
  bindDn: text('bind_dn').notNull(),
  bindPasswordSealed: text('bind_password_sealed').notNull(),
  baseDn: text('base_dn').notNull(),
  filter: text('filter').notNull(),
  mapping: jsonb('mapping').$type<AttributeMapping>().notNull(),
  /**
   * The institution (id or name) of every entry when the mapping names no institution attribute; when set, the
   * sync places and changes officials only in it and its departments.
   */
  institution: text('institution'),
  intervalMinutes: integer('interval_minutes'),
  lastRunAt: timestamp('last_run_at', { withTimezone: true, mode: 'date' }),
  /** The import job (user_import_jobs) of the last run: its counters, errors and enrolment codes. */
  lastJobId: uuid('last_job_id'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** Officials a sync created (never adopted by username): only these does it update, and disable when they leave the directory. */
export const directoryLinks = identitySchema.table(
  'directory_links',
  {
    syncId: uuid('sync_id').notNull(),
    userId: uuid('user_id').notNull(),
    dn: text('dn').notNull(),
    linkedAt: timestamp('linked_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  // One sync manages an official: two would fight over their profile and disable them in turn.
  (t) => [
    primaryKey({ columns: [t.syncId, t.userId] }),
    uniqueIndex('directory_links_user_idx').on(t.userId),
  ],
);
