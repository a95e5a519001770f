import { customType, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { coreNetworkSchema } from '../core-network.schema.js';

export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

/**
 * Envelope encryption: data-encryption keys (AES-256) stored only wrapped (AES-256-GCM) under a
 * key-encryption key from PAKAWAAZ_KEK_FILE. Rotating the KEK re-wraps these rows; SIM secrets stay as they are.
 */
export const dataKeys = coreNetworkSchema.table('data_keys', {
  id: uuid('id').primaryKey(),
  /** iv (12) ‖ ciphertext (32) ‖ tag (16) of the DEK under the KEK named by kek_id. */
  wrappedKey: bytea('wrapped_key').notNull(),
  kekId: text('kek_id').notNull(),
  purpose: text('purpose').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  rewrappedAt: timestamp('rewrapped_at', { withTimezone: true, mode: 'date' }),
});
