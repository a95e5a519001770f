import { index, integer, text, timestamp } from 'drizzle-orm/pg-core';
import { identitySchema } from '../identity.schema.js';

/**
 * EAP-AKA / EAP-AKA' pseudonyms and fast re-authentication identities handed to handsets (RFC 4187 §4.1.1.7),
 * shared by every node. Keyed by a SHA-256 of the username, so a copy of the table does not give out live
 * identities; the re-authentication keys (MK or K_re, K_aut, K_encr) are sealed with identity's secret box.
 * One row per live identity; a success replaces the subscriber's rows, so each identity works once.
 */
export const eapIdentities = identitySchema.table(
  'eap_identities',
  {
    /** hex SHA-256 of the identity's username (the part before '@'), which carries the method's prefix. */
    key: text('key').primaryKey(),
    kind: text('kind', { enum: ['pseudonym', 'reauth'] }).notNull(),
    method: text('method', { enum: ['aka', 'aka-prime'] }).notNull(),
    imsi: text('imsi').notNull(),
    /** Fast re-authentications done since the last full authentication (0 for pseudonyms). */
    counter: integer('counter').notNull().default(0),
    /** Re-authentication only: the sealed keys. */
    sealedKeys: text('sealed_keys'),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('eap_identities_imsi_idx').on(t.imsi, t.method),
    index('eap_identities_expiry_idx').on(t.expiresAt),
  ],
);
