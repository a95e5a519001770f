import { doublePrecision, index, jsonb, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { coreNetworkSchema } from '../core-network.schema.js';

/** KPI history: one row per NF, KPI and scrape. */
export const kpiSamples = coreNetworkSchema.table(
  'kpi_samples',
  {
    nf: text('nf').notNull(),
    kpi: text('kpi').notNull(),
    value: doublePrecision('value').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('kpi_samples_lookup_idx').on(t.nf, t.kpi, t.at)],
);

/** Alarms raised by the health monitor; one open alarm per (kind, nf) at a time. */
export const alarms = coreNetworkSchema.table(
  'alarms',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull(),
    nf: text('nf').notNull(),
    severity: text('severity', { enum: ['critical', 'major', 'minor', 'warning'] }).notNull(),
    message: text('message').notNull(),
    details: jsonb('details').notNull().default({}),
    raisedAt: timestamp('raised_at', { withTimezone: true, mode: 'date' }).notNull(),
    clearedAt: timestamp('cleared_at', { withTimezone: true, mode: 'date' }),
    acknowledgedBy: text('acknowledged_by'),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('alarms_open_idx').on(t.kind, t.nf, t.clearedAt)],
);
