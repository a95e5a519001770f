import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';
import {
  CROSS_INSTITUTION_MODES,
  DEFAULT_RETENTION_DAYS,
  MAX_ALLOWED_INSTITUTIONS,
  MAX_RETENTION_DAYS,
  MIN_RETENTION_DAYS,
} from './chat-policy-rules.js';
import { QUEUE_KINDS } from '../delivery/delivery.schema.js';

export const InstitutionIdParam = z.string().uuid();

export const PutChatPolicyRequest = named(
  'PutChatPolicyRequest',
  z.strictObject({
    crossInstitution: z
      .enum(CROSS_INSTITUTION_MODES)
      .describe(
        "directory: whom the directory lets officials see; own-institution: no group mixes this institution's officials with another's; allow-list: only with allowedInstitutions",
      ),
    allowedInstitutions: z
      .array(z.string().uuid())
      .max(MAX_ALLOWED_INSTITUTIONS)
      .default([])
      .describe('With allow-list: the institutions its officials may share groups with'),
    retentionDays: z
      .number()
      .int()
      .min(MIN_RETENTION_DAYS)
      .max(MAX_RETENTION_DAYS)
      .default(DEFAULT_RETENTION_DAYS)
      .describe('Days undelivered ciphertext waits in a device queue before it is purged'),
  }),
  'input',
);

export const SetHoldRequest = named(
  'SetChatHoldRequest',
  z.strictObject({
    reason: z.string().trim().min(3).max(500).describe('Why (case or order reference): kept and audited'),
  }),
  'input',
);

const Hold = z
  .object({ reason: z.string(), setBy: z.string().nullable(), since: isoDateTime() })
  .nullable()
  .describe('The legal hold of metadata, or null');

export const ChatPolicyView = named(
  'ChatPolicy',
  z.object({
    institutionId: z.string().uuid(),
    source: z.enum(['institution', 'default']),
    crossInstitution: z.enum(CROSS_INSTITUTION_MODES),
    allowedInstitutions: z.array(z.string().uuid()),
    retentionDays: z.number().int(),
    updatedBy: z.string().nullable(),
    updatedAt: isoDateTime().nullable(),
    hold: Hold,
  }),
);
export const ChatPolicyList = named('ChatPolicyList', z.object({ policies: z.array(ChatPolicyView) }));

export const HeldMetadataQuery = z.strictObject({
  institution: z.string().uuid(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  beforeId: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const HeldMetadataPage = named(
  'ChatHeldMetadataPage',
  z.object({
    entries: z.array(
      z.object({
        id: z.number().int(),
        senderDevice: z.string().uuid(),
        senderUser: z.string().uuid(),
        groupId: z.string(),
        kind: z.enum(QUEUE_KINDS),
        sizeBytes: z.number().int(),
        recipients: z.number().int(),
        at: isoDateTime(),
      }),
    ),
    nextBeforeId: z.number().int().nullable(),
  }),
);
