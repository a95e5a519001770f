import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';

const GroupName = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .regex(/^[^\p{Cc}]+$/u, 'no control characters')
  .describe('unique within the institution (case-insensitive)');

export const DeviceGroup = named(
  'DeviceGroup',
  z.object({
    id: z.string(),
    institutionId: z.string(),
    name: z.string(),
    members: z.number().int().describe('handsets in the group'),
    createdAt: isoDateTime(),
    updatedAt: isoDateTime(),
  }),
);

export const DeviceGroupList = named('DeviceGroupList', z.object({ groups: z.array(DeviceGroup) }));

export const DeviceGroupDetail = named(
  'DeviceGroupDetail',
  DeviceGroup.extend({
    policy: z
      .object({
        source: z.enum(['group', 'institution', 'national', 'default']),
        version: z.number().int(),
      })
      .describe(
        "the policy the members follow: the group's own, else the institution's, else the national one",
      ),
    devices: z.array(
      z.object({
        id: z.string(),
        official: z.object({ id: z.string(), username: z.string().nullable() }),
        model: z.string().nullable(),
        imei: z.string().nullable(),
        state: z.enum(['active', 'lost', 'wiped', 'retired']),
        compliance: z.enum(['compliant', 'grace', 'non_compliant']),
      }),
    ),
  }),
);

export const CreateDeviceGroup = named(
  'CreateDeviceGroup',
  z
    .object({
      name: GroupName,
      institutionId: z
        .uuid()
        .optional()
        .describe("the group's institution; an institution's principal may leave it out (its own)"),
    })
    .strict(),
  'input',
);

export const RenameDeviceGroup = named('RenameDeviceGroup', z.object({ name: GroupName }).strict(), 'input');

export const AddDeviceGroupMembers = named(
  'AddDeviceGroupMembers',
  z
    .object({
      devices: z.array(z.uuid()).max(500).optional().describe('device ids'),
      officials: z
        .array(z.string().trim().min(1).max(128))
        .max(500)
        .optional()
        .describe("officials' usernames or user ids: every live handset of each joins"),
    })
    .strict()
    .refine((b) => (b.devices?.length ?? 0) + (b.officials?.length ?? 0) > 0, {
      message: 'name at least one device or official',
    }),
  'input',
);

export const DeletedDeviceGroup = named(
  'DeletedDeviceGroup',
  z.object({
    id: z.string(),
    deleted: z.literal(true),
    released: z.number().int().describe('handsets that were in the group'),
  }),
);

export const DeviceGroupListQuery = z.object({ institution: z.uuid().optional() });
