import { sql, type Column } from 'drizzle-orm';
import { index, integer, jsonb, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { coreNetworkSchema } from '../core-network.schema.js';

/** A named subscription profile: AMBR and the slices/DNNs with QoS an official's SIM gets. */
export const subscriberProfiles = coreNetworkSchema.table('subscriber_profiles', {
  name: text('name').primaryKey(),
  description: text('description').notNull().default(''),
  /** Validated by the profile zod schema (subscribers/profile.ts). */
  profile: jsonb('profile').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** The unique index on static_ipv4 (NULLs are distinct in PostgreSQL: any number without one). */
export const STATIC_IPV4_UNIQUE = 'subscribers_static_ipv4_key';
/** The unique index on the /64 of static_ipv6: Open5GS gives each UE a whole /64 (static-address.ts ipv6Prefix64). */
export const STATIC_IPV6_PREFIX_UNIQUE = 'subscribers_static_ipv6_prefix_key';
/** The /64 of a static IPv6 address, as PostgreSQL computes it for the index above. */
export const staticIpv6Prefix = (column: Column) => sql`network(set_masklen(${column}::inet, 64))`;

/**
 * A SIM assigned to an official. `user_id`/`institution_id` are plain ids from identity (no cross-domain
 * keys); `display_name` and `institution_id` are copies of identity's facts, kept current by identity's user
 * events as of `identity_facts_at`. `version` increases on every change the reconciler pushes to Open5GS.
 */
export const subscribers = coreNetworkSchema.table(
  'subscribers',
  {
    imsi: text('imsi').primaryKey(),
    userId: text('user_id').notNull(),
    displayName: text('display_name').notNull(),
    institutionId: text('institution_id'),
    /** When identity's facts copied here were current; an event with older facts changes nothing. */
    identityFactsAt: timestamp('identity_facts_at', { withTimezone: true, mode: 'date' }),
    profileName: text('profile_name').notNull(),
    /** Inside its DNN's spec `ipv4.staticRange` (subscribers/static-address.ts); unique (Open5GS never checks). */
    staticIpv4: text('static_ipv4'),
    /** RFC 5952 form, inside its DNN's spec `ipv6.staticRange`; alone in its /64 (Open5GS never checks). */
    staticIpv6: text('static_ipv6'),
    status: text('status', { enum: ['active', 'barred'] })
      .notNull()
      .default('active'),
    barringReason: text('barring_reason'),
    barredBy: text('barred_by'),
    version: integer('version').notNull().default(1),
    syncedVersion: integer('synced_version').notNull().default(0),
    syncedAt: timestamp('synced_at', { withTimezone: true, mode: 'date' }),
    syncError: text('sync_error'),
    /** Export-only mode: the version the last `subscribers export` carried (a barring after it is not yet in Open5GS). */
    exportedVersion: integer('exported_version').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('subscribers_user_idx').on(t.userId),
    index('subscribers_institution_idx').on(t.institutionId),
    index('subscribers_status_idx').on(t.status),
    uniqueIndex(STATIC_IPV4_UNIQUE).on(t.staticIpv4),
    uniqueIndex(STATIC_IPV6_PREFIX_UNIQUE).on(staticIpv6Prefix(t.staticIpv6)),
  ],
);

/** IMSIs removed from Pakawaaz that the reconciler still has to delete from Open5GS. */
export const subscriberDeletions = coreNetworkSchema.table('subscriber_deletions', {
  imsi: text('imsi').primaryKey(),
  requestedAt: timestamp('requested_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  requestedBy: uuid('requested_by'),
});
