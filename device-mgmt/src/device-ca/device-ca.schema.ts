import { index, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { bytea } from '@pakawaaz/platform';
import { deviceMgmtSchema } from '../device-mgmt.schema.js';

/**
 * The device CA's own certificates (the key is the key service's `device-ca` signer). A new key — rotation —
 * gets a new CA certificate; the previous ones stay trusted until they expire, so devices keep working.
 */
export const deviceCaCertificates = deviceMgmtSchema.table('device_ca_certificates', {
  serial: text('serial').primaryKey(),
  /** base64url SHA-256 of the CA's SubjectPublicKeyInfo: which signer key this certificate belongs to. */
  keyId: text('key_id').notNull(),
  der: bytea('der').notNull(),
  notBefore: timestamp('not_before', { withTimezone: true, mode: 'date' }).notNull(),
  notAfter: timestamp('not_after', { withTimezone: true, mode: 'date' }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** Every device certificate the CA issued; a revoked one is on the CRL until it expires. */
export const deviceCertificates = deviceMgmtSchema.table(
  'device_certificates',
  {
    /** Lower-case hex without leading zeros (the form identity's DEVICE_TRUST port asks about). */
    serial: text('serial').primaryKey(),
    deviceId: uuid('device_id').notNull(),
    /** base64url SHA-256 of the DER (RFC 8705 `x5t#S256`). */
    thumbprint: text('thumbprint').notNull().unique(),
    der: bytea('der').notNull(),
    notBefore: timestamp('not_before', { withTimezone: true, mode: 'date' }).notNull(),
    notAfter: timestamp('not_after', { withTimezone: true, mode: 'date' }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    revocationReason: text('revocation_reason'),
    issuedAt: timestamp('issued_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('device_certificates_device_idx').on(t.deviceId)],
);
