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
const ApkSha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256 (64 characters)');
export const COMMAND_PARAMS = {
  lock: NoParams,
  wipe: NoParams,
  reboot: NoParams,
  // An operator may name just the package; the app store's installs name the exact APK (its SHA-256, which the
  // handset fetches it by and checks against its verified catalogue).
  install_app: z
    .object({
      package: PackageName,
      versionCode: z.number().int().min(1).max(2_147_483_647).optional(),
      apkSha256: ApkSha256.optional(),
    })
    .strict(),
  // The store's kill switch names the version it removes: a handset that runs another (a newer, good) version
  // of the package keeps it and says so, rather than losing it to an uninstall delivered late.
  uninstall_app: z
    .object({ package: PackageName, versionCode: z.number().int().min(1).max(2_147_483_647).optional() })
    .strict(),
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
  // Re-attest now: the handset asks a fresh challenge and sends a new attestation of its device key (the
  // policy's maxAttestationAgeHours makes it do so on its own as well); it acknowledges with the outcome.
  reattest: NoParams,
  relinquish: NoParams,
  locate: NoParams,
} as const;

/**
 * The commands the app store queues through AppFleetService, stricter than an operator's: an install names the
 * exact APK (versionCode and apkSha256 from the store's verified catalogue).
 */
export const APP_FLEET_PARAMS = {
  install_app: COMMAND_PARAMS.install_app.required({ versionCode: true, apkSha256: true }),
  uninstall_app: COMMAND_PARAMS.uninstall_app.required({ versionCode: true }),
} as const;

export type CommandType = keyof typeof COMMAND_PARAMS;
export const COMMAND_TYPES = Object.keys(COMMAND_PARAMS) as [CommandType, ...CommandType[]];
export const CommandTypeSchema = z.enum(COMMAND_TYPES);

/** Default and longest life of a command that is not acknowledged. */
export const DEFAULT_EXPIRY_MINUTES = 7 * 24 * 60;
export const MAX_EXPIRY_MINUTES = 30 * 24 * 60;

/** Idempotency keys the app store's installs carry (AppFleetService): an operator's key may not start so. */
export const APP_FLEET_KEY_PREFIX = 'app:';

export const IdempotencyKey = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
  // Reserved: a command an operator made under an app-store key would stand in for the store's own (its
  // queue skips a key the device already has) and show as that install's outcome.
  .refine(
    (k) => !k.startsWith(APP_FLEET_KEY_PREFIX),
    `keys starting '${APP_FLEET_KEY_PREFIX}' are the app store's`,
  );

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
