import { z } from 'zod';

/**
 * The settings of a device policy: what the agent on the handset enforces (screen lock, camera, USB data,
 * screenshots, developer options, apps, update window) and what the server checks at each check-in
 * (attestation age, patch level, grace, check-in interval). Strict: an unknown key is a mistake, not an
 * extension. Every field has a default, so `{}` is the national default policy.
 */

/** An Android application id (package name), e.g. `org.pakawaaz.chat`. */
export const PackageName = z
  .string()
  .max(255)
  .regex(
    /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/,
    'an Android package name (e.g. org.example.app)',
  );

const HhMm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time of day 'HH:MM' (24 h, the handset's zone)");

export const PolicySettingsSchema = z
  .object({
    screenLock: z
      .object({
        required: z.boolean().default(true),
        minLength: z.number().int().min(4).max(64).default(6),
        maxIdleSeconds: z.number().int().min(15).max(3600).default(300),
      })
      .strict()
      .default({ required: true, minLength: 6, maxIdleSeconds: 300 }),
    cameraAllowed: z.boolean().default(true),
    usbDataAllowed: z.boolean().default(false),
    screenshotsAllowed: z.boolean().default(false),
    developerOptionsAllowed: z.boolean().default(false),
    /** When present, only these packages (and the OS image's own) may be installed: any other is FORBIDDEN_APP. */
    allowedApps: z.array(PackageName).max(1000).optional(),
    /** These must be installed: a missing one is REQUIRED_APP_MISSING (the agent installs them). */
    requiredApps: z.array(PackageName).max(200).default([]),
    /** When the handset may install OS updates and restart for them. */
    updateWindow: z.object({ start: HhMm, end: HhMm }).strict().default({ start: '02:00', end: '05:00' }),
    /** Older attestation evidence than this is ATTESTATION_STALE. */
    maxAttestationAgeHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(24),
    /** 'YYYY-MM'; null: the minimum the hardened-os releases set (none when they are not bound). */
    minimumPatchLevel: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a patch month 'YYYY-MM'")
      .nullable()
      .default(null),
    /** How long a device stays in grace before it is non_compliant. */
    graceHours: z
      .number()
      .int()
      .min(0)
      .max(24 * 30)
      .default(24),
    checkInIntervalSeconds: z.number().int().min(60).max(86_400).default(900),
    /** Officials may enrol a browser as a `desktop` device (the officials' web chat); false refuses it. */
    allowDesktop: z.boolean().default(true),
  })
  .strict()
  .superRefine((s, ctx) => {
    const missing = s.allowedApps ? s.requiredApps.filter((p) => !s.allowedApps?.includes(p)) : [];
    if (missing.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['allowedApps'],
        message: `required apps must also be allowed: ${missing.join(', ')}`,
      });
  });

export type PolicySettings = z.output<typeof PolicySettingsSchema>;
export type PolicySettingsInput = z.input<typeof PolicySettingsSchema>;

/** The built-in national policy, version 0, in force until a national policy is stored. */
export const DEFAULT_POLICY_SETTINGS: PolicySettings = PolicySettingsSchema.parse({});

/** 'YYYY-MM' → YYYYMM. */
export const patchMonthOf = (yyyyMm: string): number =>
  Number(yyyyMm.slice(0, 4)) * 100 + Number(yyyyMm.slice(5, 7));

/** The scope of a policy: the national default, an institution's own (its id) or a group's (`group:<id>`). */
export type PolicyScope = 'national' | (string & {});
export const NATIONAL = 'national';
export const GROUP_SCOPE_PREFIX = 'group:';
export const groupScope = (groupId: string): string => `${GROUP_SCOPE_PREFIX}${groupId}`;
export const isGroupScope = (scope: string): boolean => scope.startsWith(GROUP_SCOPE_PREFIX);

/** A policy in force: its version (unique across scopes, 0 for the built-in default) and settings. */
export type EffectivePolicy = {
  scope: PolicyScope;
  version: number;
  settings: PolicySettings;
  updatedAt: Date | null;
};
