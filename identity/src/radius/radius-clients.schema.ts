import { index, integer, bigint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { identitySchema } from '../identity.schema.js';

/** NAS clients (Wi-Fi controllers, VPN concentrators) allowed to send RADIUS, each with its own secret. */
export const radiusClients = identitySchema.table('radius_clients', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull().unique(),
  /** An address or CIDR block; the most specific match wins. */
  cidr: text('cidr').notNull(),
  /** The shared secret, sealed with the identity secrets key (RADIUS needs it in clear to sign replies). */
  sealedSecret: text('sealed_secret').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  /** Set while disabled: its datagrams are dropped (logged as `nas_disabled`) until it is enabled again. */
  disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'date' }),
  secretRotatedAt: timestamp('secret_rotated_at', { withTimezone: true, mode: 'date' }),
});

/**
 * Accounting records (RFC 2866) per official and IMSI, for usage metering. `dedupe_key` makes a NAS's
 * retransmission (same session, status and counters) land once.
 */
export const radiusAccounting = identitySchema.table(
  'radius_accounting',
  {
    id: uuid('id').primaryKey(),
    dedupeKey: text('dedupe_key').notNull().unique(),
    clientId: uuid('client_id').notNull(),
    acctSessionId: text('acct_session_id').notNull(),
    statusType: text('status_type').notNull(),
    username: text('username'),
    userId: uuid('user_id'),
    imsi: text('imsi'),
    nasIp: text('nas_ip'),
    nasIdentifier: text('nas_identifier'),
    callingStationId: text('calling_station_id'),
    framedIp: text('framed_ip'),
    sessionTimeSeconds: integer('session_time_seconds'),
    inputOctets: bigint('input_octets', { mode: 'number' }),
    outputOctets: bigint('output_octets', { mode: 'number' }),
    terminateCause: text('terminate_cause'),
    eventAt: timestamp('event_at', { withTimezone: true, mode: 'date' }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('radius_accounting_user_idx').on(t.userId, t.eventAt),
    index('radius_accounting_imsi_idx').on(t.imsi, t.eventAt),
    index('radius_accounting_session_idx').on(t.acctSessionId),
  ],
);
