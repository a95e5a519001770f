import { isoDateTime, named, roleSchema } from '@pakawaaz/platform';
import { z } from 'zod';

const Username = z
  .string()
  .min(2)
  .max(64)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'letters, digits, dot, dash, underscore; starting with a letter or digit',
  )
  .transform((u) => u.toLowerCase());
const Text = (max: number) => z.string().trim().min(1).max(max);
const Role = roleSchema();

export const User = named(
  'User',
  z.object({
    id: z.string(),
    username: z.string(),
    kind: z.enum(['official', 'operator']),
    displayName: z.string(),
    designation: z.string().nullable(),
    institutionId: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    roles: z.array(z.string()),
    status: z.enum(['active', 'disabled']),
    statusReason: z.string().nullable(),
    mustChangePassword: z.boolean(),
    /** The next sign-in enrols a new authenticator (an administrator removed the second factors). */
    totpEnrolmentRequired: z.boolean(),
    /** The guess limit closed the password step: it opens only after a passkey, the SIM or the device. */
    passwordClosed: z.boolean(),
    passwordClosedAt: isoDateTime().nullable(),
    failedLogins: z.number().int(),
    factors: z.object({
      totp: z.enum(['none', 'pending', 'active']),
      passkeys: z.number().int(),
      recoveryCodesLeft: z.number().int(),
    }),
    passwordChangedAt: isoDateTime().nullable(),
    createdAt: isoDateTime(),
    updatedAt: isoDateTime(),
    lastLoginAt: isoDateTime().nullable(),
  }),
);
export const UserPage = named(
  'UserPage',
  z.object({
    users: z.array(User),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  }),
);
export const UserQuery = z.object({
  search: z.string().max(100).optional(),
  kind: z.enum(['official', 'operator']).optional(),
  status: z.enum(['active', 'disabled']).optional(),
  institution: z.uuid().optional(),
  /** true: accounts under attack (password step closed after the guess limit). */
  passwordClosed: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export const CreateUser = named(
  'CreateUser',
  z
    .object({
      kind: z.enum(['official', 'operator']).default('official'),
      username: Username,
      displayName: Text(200),
      password: z.string().min(1).max(256),
      designation: Text(200).nullable().optional(),
      /** Institution id or exact name. */
      institution: Text(200).nullable().optional(),
      email: z.email().max(254).nullable().optional(),
      phone: z
        .string()
        .regex(/^\+?[0-9 ()-]{5,20}$/, 'a phone number')
        .nullable()
        .optional(),
      roles: z.array(Role).max(8).optional(),
      /** The user must choose a new password at the first sign-in (NIST: an administrator-set password is temporary). */
      mustChangePassword: z.boolean().optional(),
    })
    .strict(),
  'input',
);
export const UpdateUser = named(
  'UpdateUser',
  z
    .object({
      displayName: Text(200).optional(),
      designation: Text(200).nullable().optional(),
      institution: Text(200).nullable().optional(),
      email: z.email().max(254).nullable().optional(),
      phone: z
        .string()
        .regex(/^\+?[0-9 ()-]{5,20}$/, 'a phone number')
        .nullable()
        .optional(),
      roles: z.array(Role).max(8).optional(),
    })
    .strict(),
  'input',
);
export const StatusChange = named(
  'StatusChange',
  z.object({ reason: Text(500).optional() }).strict(),
  'input',
);
export const PasswordReset = named(
  'PasswordReset',
  z.object({ password: z.string().min(1).max(256).optional() }).strict(),
  'input',
);
export const PasswordResetResult = named(
  'PasswordResetResult',
  z.object({ user: User, temporaryPassword: z.string() }),
);
export const RevokedSessions = named('RevokedSessions', z.object({ revoked: z.number().int() }));

export { ErrorReply } from '../auth/auth.dto.js';
export const FactorResetRequest = named(
  'FactorResetRequest',
  z
    .object({
      /** Why: shown to the approving administrator and kept in the audit log. */
      reason: Text(500).pipe(z.string().min(3)),
      /**
       * Also set a one-time password (default true). A two-person reset always does, split between the two
       * administrators.
       */
      password: z.boolean().default(true),
    })
    .strict(),
  'input',
);
export const FactorResetRequestView = named(
  'FactorResetRequestView',
  z.object({
    id: z.string(),
    userId: z.string(),
    username: z.string(),
    reason: z.string(),
    status: z.enum(['pending', 'approved', 'rejected', 'expired']),
    requestedBy: z.string(),
    createdAt: isoDateTime(),
    expiresAt: isoDateTime(),
    decidedBy: z.string().nullable(),
    decidedAt: isoDateTime().nullable(),
    decisionReason: z.string().nullable(),
  }),
);
export const FactorResetResult = named(
  'FactorResetResult',
  z.object({
    status: z.enum(['done', 'pending']),
    user: User,
    request: FactorResetRequestView.nullable(),
    /** The whole one-time password (a reset by one administrator), shown once. */
    temporaryPassword: z.string().nullable(),
    /**
     * A two-person reset: this administrator's half of the one-time password, shown once. The user types
     * the requester's half, then the approver's.
     */
    temporaryPasswordPart: z.string().nullable(),
  }),
);
export const FactorResetList = named(
  'FactorResetList',
  z.object({ requests: z.array(FactorResetRequestView) }),
);
export const FactorResetQuery = z.object({ status: z.enum(['pending', 'decided']).optional() });
