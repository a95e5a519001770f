import { z } from 'zod';
import { PackageName } from '../policies/policy-settings.js';

/**
 * What an operator may ask a handset to do, with each type's parameters (strict). `locate` puts the handset
 * in lost mode and is the only thing that lets a check-in carry a location.
 */
const NoParams = z.object({}).strict();
const OsToken = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9._-]+$/);
export const COMMAND_PARAMS = {
  lock: NoParams,
  wipe: NoParams,
  reboot: NoParams,
  install_app: z
    .object({ package: PackageName, versionCode: z.number().int().min(1).max(2_147_483_647).optional() })
    .strict(),
  uninstall_app: z.object({ package: PackageName }).strict(),
  // An operator may name just a version; a rollout's command names the build exactly (the handset checks the
  // fingerprint against the signed update metadata before installing) and its patch level.
  update_os: z
    .object({
      version: OsToken.max(64).optional(),
      buildId: OsToken.max(128).optional(),
      fingerprint: z
        .string()
        .min(1)
        .max(256)
        .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
        .optional(),
      securityPatchLevel: z
        .string()
        .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "a patch date 'YYYY-MM-DD'")
        .optional(),
    })
    .strict(),
  rotate_certificate: NoParams,
  relinquish: NoParams,
  locate: NoParams,
} as const;

export type CommandType = keyof typeof COMMAND_PARAMS;
export const COMMAND_TYPES = Object.keys(COMMAND_PARAMS) as [CommandType, ...CommandType[]];
export const CommandTypeSchema = z.enum(COMMAND_TYPES);

/** Default and longest life of a command that is not acknowledged. */
export const DEFAULT_EXPIRY_MINUTES = 7 * 24 * 60;
export const MAX_EXPIRY_MINUTES = 30 * 24 * 60;

export const IdempotencyKey = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

export const NewCommandSchema = z
  .object({
    type: CommandTypeSchema,
    params: z.record(z.string(), z.unknown()).optional(),
    idempotencyKey: IdempotencyKey.optional().describe(
      'The same key for this device returns the command it made (200) instead of queueing another',
    ),
    expiresInMinutes: z.number().int().min(1).max(MAX_EXPIRY_MINUTES).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const checked = COMMAND_PARAMS[c.type].safeParse(c.params ?? {});
    if (!checked.success)
      for (const issue of checked.error.issues)
        ctx.addIssue({ code: 'custom', path: ['params', ...issue.path.map(String)], message: issue.message });
  });
export type NewCommand = z.output<typeof NewCommandSchema>;
