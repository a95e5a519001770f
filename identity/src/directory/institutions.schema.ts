import { index, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { identitySchema } from '../identity.schema.js';

export const INSTITUTION_KINDS = ['ministry', 'department'] as const;
/** The national rollout runs in phases: a pilot, then the federal ministries, then every institution. */
export const ROLLOUT_PHASES = ['pilot', 'federal-ministries', 'nationwide'] as const;
/**
 * Whose officials an institution's officials may look up in the directory: only their own institution,
 * their hierarchy (own + parent ministry + sibling and child departments), or everyone. Explicit grants in
 * `institution_visibility` add to any of them.
 */
export const DIRECTORY_SCOPES = ['own', 'hierarchy', 'all'] as const;

/** Ministries and their attached departments. */
export const institutions = identitySchema.table(
  'institutions',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull().unique(),
    kind: text('kind', { enum: INSTITUTION_KINDS }).notNull().default('ministry'),
    /** A department's ministry (same schema; null for a ministry). */
    parentId: uuid('parent_id'),
    rolloutPhase: text('rollout_phase', { enum: ROLLOUT_PHASES }).notNull().default('pilot'),
    directoryScope: text('directory_scope', { enum: DIRECTORY_SCOPES }).notNull().default('hierarchy'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('institutions_parent_idx').on(t.parentId)],
);

/** Explicit directory grants: officials of `institution_id` may also see officials of `visible_id`. */
export const institutionVisibility = identitySchema.table(
  'institution_visibility',
  {
    institutionId: uuid('institution_id').notNull(),
    visibleId: uuid('visible_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.institutionId, t.visibleId] })],
);
