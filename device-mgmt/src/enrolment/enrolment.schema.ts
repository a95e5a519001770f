import { index, jsonb, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { deviceMgmtSchema } from '../device-mgmt.schema.js';

/**
 * Enrolment tokens: single use, expiring, bound to an official (and optionally a SIM). Only the SHA-256 of
 * the token is stored; the token itself is shown once.
 */
export const enrolmentTokens = deviceMgmtSchema.table(
  'enrolment_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull().unique(),
    userId: text('user_id').notNull(),
    institutionId: text('institution_id'),
    imsi: text('imsi'),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
    /** The device the token enrolled. */
    deviceId: uuid('device_id'),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('enrolment_tokens_institution_idx').on(t.institutionId)],
);

/**
 * Attestation challenges: 32 random bytes, single use, five minutes. An enrolment challenge belongs to a
 * token, a re-attestation challenge to a device.
 */
export const attestationChallenges = deviceMgmtSchema.table(
  'attestation_challenges',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    challenge: text('challenge').notNull(),
    tokenId: uuid('token_id'),
    deviceId: uuid('device_id'),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('attestation_challenges_expiry_idx').on(t.expiresAt),
    // A new challenge supersedes its owner's oldest (enrolment.repository's insertChallenge).
    index('attestation_challenges_token_idx').on(t.tokenId),
    index('attestation_challenges_device_idx').on(t.deviceId),
  ],
);

/**
 * A device's recent certificate-renewal attempts (epoch milliseconds, at most RENEWALS_PER_HOUR): kept in the
 * database so the renewal limit holds across the cluster's nodes. A row per device that ever renewed.
 */
export const renewalAttempts = deviceMgmtSchema.table('renewal_attempts', {
  deviceId: uuid('device_id').primaryKey(),
  attempts: jsonb('attempts').$type<number[]>().notNull().default([]),
});
