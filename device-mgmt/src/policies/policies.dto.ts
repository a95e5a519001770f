import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';
import { PolicySettingsSchema } from './policy-settings.js';

/** The settings as a request carries them (defaults filled in) and as a reply shows them (complete). */
export const PolicySettingsInput = named('DevicePolicySettingsInput', PolicySettingsSchema, 'input');
export const PolicySettingsOutput = named('DevicePolicySettings', PolicySettingsSchema.clone(), 'output');

export const PutDevicePolicyRequest = named(
  'PutDevicePolicyRequest',
  z
    .object({
      settings: PolicySettingsInput,
      baseVersion: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe(
          "The scope's own version this change was made against (0: none yet); 409 policy_changed when it moved",
        ),
    })
    .strict(),
  'input',
);

export const DevicePolicy = named(
  'DevicePolicy',
  z.object({
    scope: z.string().describe("'national', an institution id or 'group:<group id>'"),
    source: z
      .enum(['group', 'institution', 'national', 'default'])
      .describe(
        "Whose policy is in force for the scope: the group's, the institution's, the national one, or the built-in default",
      ),
    version: z.number().int(),
    settings: PolicySettingsOutput,
    updatedBy: z.string().nullable(),
    updatedAt: isoDateTime().nullable(),
  }),
);

export const DevicePolicyList = named('DevicePolicyList', z.object({ policies: z.array(DevicePolicy) }));

/** 'national' or an institution id (uuid). */
export const PolicyScopeParam = z.union([z.literal('national'), z.uuid()]);
