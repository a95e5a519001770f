import { index, integer, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { identitySchema } from '../identity.schema.js';

/**
 * Sign-in events of every way in — HTTP sign-in steps and RADIUS (accepts, rejects, dropped datagrams) —
 * with the reason code that the reply itself hides. Never a secret: no password, code, RES or shared
 * secret reaches this table. Pruned after the configured retention.
 */
export const authEvents = identitySchema.table(
  'auth_events',
  {
    id: uuid('id').primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    channel: text('channel', { enum: ['http', 'radius'] }).notNull(),
    result: text('result', { enum: ['accept', 'reject', 'drop'] }).notNull(),
    reason: text('reason').notNull(),
    /** pap, eap-aka, eap-aka', password, totp, sim, device, passkey…; null when a datagram never got that far. */
    method: text('method'),
    /** The name as given (typed user name, EAP identity); null for a dropped datagram. */
    username: text('username'),
    userId: uuid('user_id'),
    /** The account's institution, for institution-scoped viewers; null for unknown names and drops. */
    institutionId: uuid('institution_id'),
    imsi: text('imsi'),
    /** The NAS (RADIUS client) it came through, by id and by its name at the time. */
    clientId: uuid('client_id'),
    clientName: text('client_name'),
    /** The client address (HTTP) or NAS address and Calling-Station-Id (RADIUS). */
    source: text('source'),
    /** Identical drops within one write batch are stored once, with their number. */
    count: integer('count').notNull().default(1),
  },
  (t) => [
    index('auth_events_at_idx').on(t.at),
    index('auth_events_institution_idx').on(t.institutionId, t.at),
    index('auth_events_client_idx').on(t.clientId, t.at),
    index('auth_events_user_idx').on(t.userId, t.at),
  ],
);

export type AuthEventRow = typeof authEvents.$inferSelect;
export type NewAuthEvent = typeof authEvents.$inferInsert;
