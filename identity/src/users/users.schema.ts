import { sql } from 'drizzle-orm';
import { boolean, index, integer, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { identitySchema } from '../identity.schema.js';

/** Officials sign in on issued handsets (and over RADIUS); operators run the network from the NOC. */
export const USER_KINDS = ['official', 'operator'] as const;
export const USER_STATUSES = ['active', 'disabled'] as const;

/**
 * Everyone with an identity: officials and NOC operators share credentials, factors, sessions and lock-out.
 * `institution_id` scopes institution-scoped roles (see roles.ts); `username` is stored lower-case.
 */
export const users = identitySchema.table(
  'users',
  {
    id: uuid('id').primaryKey(),
    username: text('username').notNull().unique(),
    kind: text('kind', { enum: USER_KINDS }).notNull(),
    displayName: text('display_name').notNull(),
    designation: text('designation'),
    institutionId: uuid('institution_id'),
    email: text('email'),
    phone: text('phone'),
    roles: text('roles')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    status: text('status', { enum: USER_STATUSES }).notNull().default('active'),
    statusReason: text('status_reason'),
    passwordHash: text('password_hash').notNull(),
    /** Set by an administrator's reset: the next sign-in may only change the password. */
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true, mode: 'date' }),
    /** Consecutive failed sign-ins (any factor); reset by a password sign-in, a new password or an unlock. */
    failedLogins: integer('failed_logins').notNull().default(0),
    /**
     * Set when `failed_logins` reached the guess limit (NIST SP 800-63B §5.2.2): the password is then only
     * accepted after a possession factor (passkey, SIM, device) in the same sign-in. Not a lock: the account,
     * its sessions and its other factors keep working (docs/decisions/0008-lockout-model.md).
     */
    passwordClosedAt: timestamp('password_closed_at', { withTimezone: true, mode: 'date' }),
    /** An administrator removed the second factors: the next sign-in enrols a new authenticator. */
    totpEnrolmentRequired: boolean('totp_enrolment_required').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    index('users_institution_idx').on(t.institutionId),
    index('users_kind_idx').on(t.kind),
    index('users_display_name_idx').on(sql`lower(${t.displayName})`),
  ],
);
