import { sql } from 'drizzle-orm';
import { index, integer, jsonb, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { deviceMgmtSchema } from '../device-mgmt.schema.js';
import { deviceGroups } from '../groups/device-groups.schema.js';

/**
 * An issued handset, from its attested enrolment on. `user_id`/`institution_id` are plain ids from identity
 * (no cross-domain keys): the official the handset was enrolled for and that official's institution then.
 * Hardware facts come from the attestation (they beat anything the handset says about itself); the latest
 * attestation's facts are kept whole in `attestation`.
 */
export const devices = deviceMgmtSchema.table(
  'devices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id').notNull(),
    /**
     * `handset`: an attested phone (mutual TLS on the device port). `desktop`: an official's browser, its key a
     * non-extractable WebCrypto key, enrolled with the official's sign-in (no attestation, no check-ins); it
     * authenticates with the access token and a DPoP proof signed by that key.
     */
    kind: text('kind', { enum: ['handset', 'desktop'] })
      .notNull()
      .default('handset'),
    institutionId: text('institution_id'),
    /** The institution's device group it is in, if any (at most one); its policy layers on the institution's. */
    groupId: uuid('group_id').references(() => deviceGroups.id, { onDelete: 'set null' }),
    /** The SIM the enrolment token was bound to, if any; later the SIM the handset reports at check-in. */
    imsi: text('imsi'),
    /** Attested identifiers (Android KeyDescription attestationIdImei/Serial/Brand/Model …), when present. */
    imei: text('imei'),
    serial: text('serial'),
    brand: text('brand'),
    model: text('model'),
    /** `active` once enrolled; `lost` after a lost-mode report; `wiped` and `retired` are final. */
    state: text('state', { enum: ['active', 'lost', 'wiped', 'retired'] })
      .notNull()
      .default('active'),
    compliance: text('compliance', { enum: ['compliant', 'grace', 'non_compliant'] })
      .notNull()
      .default('compliant'),
    /** Stable reason codes of the last compliance evaluation (empty when compliant). */
    complianceReasons: jsonb('compliance_reasons').$type<string[]>().notNull().default([]),
    /** When the device left `compliant`; grace runs from here. */
    nonCompliantSince: timestamp('non_compliant_since', { withTimezone: true, mode: 'date' }),
    /** The facts of the last accepted attestation (security level, root of trust, patch levels …). */
    attestation: jsonb('attestation').$type<Record<string, unknown>>().notNull(),
    lastAttestedAt: timestamp('last_attested_at', { withTimezone: true, mode: 'date' }).notNull(),
    lastCheckInAt: timestamp('last_check_in_at', { withTimezone: true, mode: 'date' }),
    /** What the handset reported at its last check-in (OS build, patch levels, apps, battery, last boot). */
    lastReport: jsonb('last_report').$type<Record<string, unknown>>(),
    appliedPolicyVersion: integer('applied_policy_version'),
    enrolledAt: timestamp('enrolled_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('devices_user_idx').on(t.userId),
    index('devices_institution_idx').on(t.institutionId),
    index('devices_group_idx').on(t.groupId),
    index('devices_compliance_idx').on(t.compliance),
    // One live enrolment per handset: a retired or wiped handset may be enrolled again (re-issued).
    uniqueIndex('devices_imei_live_idx')
      .on(t.imei)
      .where(sql`${t.state} in ('active', 'lost')`),
  ],
);
