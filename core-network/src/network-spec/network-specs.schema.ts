import { integer, jsonb, text, timestamp } from 'drizzle-orm/pg-core';
import { coreNetworkSchema } from '../core-network.schema.js';

/** Every applied network spec, newest = current. The YAML is kept as the operator wrote it. */
export const networkSpecs = coreNetworkSchema.table('network_specs', {
  version: integer('version').primaryKey(),
  spec: jsonb('spec').notNull(),
  sourceYaml: text('source_yaml').notNull(),
  sha256: text('sha256').notNull(),
  appliedBy: text('applied_by').notNull(),
  appliedAt: timestamp('applied_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
