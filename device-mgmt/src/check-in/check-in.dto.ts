import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';
import { PackageName } from '../policies/policy-settings.js';
import { COMPLIANCE_REASONS } from '../compliance/compliance.js';
import { PolicySettingsOutput } from '../policies/policies.dto.js';

const PatchDay = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "a patch date 'YYYY-MM-DD'");
/** Most apps a report lists; a handset with more is refused (400) rather than silently cut. */
export const MAX_REPORTED_APPS = 500;

export const CommandAcknowledgement = named(
  'CommandAcknowledgement',
  z
    .object({
      commandId: z.uuid(),
      state: z.enum(['succeeded', 'failed']),
      detail: z.string().max(1000).optional(),
    })
    .strict(),
  'input',
);

export const AcknowledgeCommandRequest = named(
  'AcknowledgeCommandRequest',
  z.object({ state: z.enum(['succeeded', 'failed']), detail: z.string().max(1000).optional() }).strict(),
  'input',
);

const Location = z
  .object({
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    accuracyMeters: z.number().min(0).max(100_000).optional(),
    at: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export const CheckInReport = named(
  'CheckInReport',
  z
    .object({
      osBuild: z.string().min(1).max(128),
      osVersion: z.string().min(1).max(64),
      securityPatch: PatchDay,
      vendorPatch: PatchDay.optional(),
      bootPatch: PatchDay.optional(),
      apps: z
        .array(
          z
            .object({
              package: PackageName,
              versionCode: z
                .number()
                .int()
                .min(0)
                .max(2 ** 53 - 1),
              crashes: z
                .number()
                .int()
                .min(0)
                .max(1_000_000)
                .optional()
                .describe('Crashes of this version since it was installed, as the store app counts them'),
            })
            .strict(),
        )
        .max(MAX_REPORTED_APPS),
      policyVersion: z
        .number()
        .int()
        .min(0)
        .describe('The policy version the handset has applied (0: the built-in default)'),
      batteryPercent: z.number().int().min(0).max(100).optional(),
      lastBootAt: z.iso.datetime({ offset: true }).optional(),
      imsi: z
        .string()
        .regex(/^\d{15}$/)
        .optional()
        .describe('The IMSI of the SIM in the handset'),
      developerOptionsEnabled: z.boolean().optional(),
      screenLockSecure: z.boolean().optional().describe('A secure screen lock (PIN, password) is set'),
      lostMode: z
        .object({ location: Location.optional() })
        .strict()
        .optional()
        .describe(
          'Present while the handset is in lost mode. The location is kept only while a locate command delivered to the handset is outstanding; otherwise it is dropped',
        ),
      acknowledgements: z.array(CommandAcknowledgement).max(50).optional(),
    })
    .strict(),
  'input',
);
export type CheckInReportInput = z.output<typeof CheckInReport>;

export const DeliveredCommandDto = named(
  'DeliveredCommand',
  z.object({
    id: z.string(),
    type: z.string(),
    params: z.record(z.string(), z.unknown()),
    createdAt: isoDateTime(),
    expiresAt: isoDateTime(),
  }),
);

export const ComplianceDto = named(
  'DeviceCompliance',
  z.object({
    state: z.enum(['compliant', 'grace', 'non_compliant']),
    reasons: z.array(z.enum(COMPLIANCE_REASONS)),
  }),
);

export const CheckInReply = named(
  'CheckInReply',
  z.object({
    policy: z
      .object({ version: z.number().int(), settings: PolicySettingsOutput })
      .nullable()
      .describe('The full policy when the handset applied another version; null when it is up to date'),
    commands: z.array(DeliveredCommandDto),
    compliance: ComplianceDto,
    nextCheckInSeconds: z.number().int(),
  }),
);
