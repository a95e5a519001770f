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
    locked: z.boolean(),
    lockedAt: isoDateTime().nullable(),
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
  locked: z
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
