import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';

export const OUTCOMES = ['answered', 'missed', 'declined', 'cancelled', 'busy'] as const;

/** Filters of the call records; pages go back in time (`before`: the previous page's `nextBefore`). */
export const CallHistoryQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  outcome: z.enum(OUTCOMES).optional(),
  /** Calls an official placed, was rung for or took part in: a username or user id. */
  official: z.string().trim().min(1).max(100).optional(),
  institution: z.uuid().optional(),
  before: z
    .string()
    .max(80)
    .regex(/^\d{4}-\d\d-\d\dT[\d:.]+Z_[0-9a-f-]{36}$/, 'the nextBefore of the previous page')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const Person = z.object({
  userId: z.string(),
  username: z.string().nullable(),
  displayName: z.string().nullable(),
});

export const CallRecord = z.object({
  callId: z.string(),
  groupId: z.string(),
  kind: z.enum(['voice', 'video']),
  state: z.enum(['live', 'ended']),
  /** How the ringing ended (null: never rung, or still ringing). */
  outcome: z.enum(OUTCOMES).nullable(),
  endReason: z.string().nullable(),
  startedAt: isoDateTime(),
  answeredAt: isoDateTime().nullable(),
  endedAt: isoDateTime().nullable(),
  /** From the answer to the end (null: not answered, or not ended). */
  durationSeconds: z.number().int().nullable(),
  /** Devices that joined the call. */
  participants: z.number().int(),
  /** Devices it rang. */
  rang: z.number().int(),
  mediaHost: z.string().nullable(),
  caller: Person,
  /** The officials who joined (names from the directory; no content of the call is ever recorded). */
  people: z.array(Person),
  institutions: z.array(z.string()),
});
export type CallRecord = z.infer<typeof CallRecord>;

export const CallHistoryPage = named(
  'CallHistory',
  z.object({ calls: z.array(CallRecord), nextBefore: z.string().nullable() }),
);
