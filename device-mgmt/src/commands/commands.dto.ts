import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';
import { COMMAND_STATES } from './device-commands.schema.js';
import { COMMAND_TYPES, NewCommandSchema } from './command-types.js';

export const CreateDeviceCommandRequest = named('CreateDeviceCommandRequest', NewCommandSchema, 'input');

export const DeviceCommand = named(
  'DeviceCommand',
  z.object({
    id: z.string(),
    deviceId: z.string(),
    type: z.enum(COMMAND_TYPES),
    params: z.record(z.string(), z.unknown()),
    idempotencyKey: z.string(),
    state: z.enum(COMMAND_STATES),
    createdBy: z.object({
      id: z.string(),
      name: z.string(),
      /** The person's current display name in identity's directory (their name when made, if not found). */
      displayName: z.string(),
    }),
    createdAt: isoDateTime(),
    expiresAt: isoDateTime(),
    deliveredAt: isoDateTime().nullable(),
    acknowledgedAt: isoDateTime().nullable(),
    result: z.object({ detail: z.string().optional() }).nullable(),
  }),
);

export const DeviceCommandList = named('DeviceCommandList', z.object({ commands: z.array(DeviceCommand) }));
