import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';
import { MAX_RETENTION_DAYS, TOKEN_PATTERN } from './files-rules.js';

export const FileIdParam = z.string().uuid();
export const DownloadTokenParam = z.string().regex(TOKEN_PATTERN, 'a 43-character base64url token');

export const CreateUploadInput = named(
  'ChatFileUploadInput',
  z
    .object({
      sizeBytes: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).describe('Bytes of the ciphertext'),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/, 'lower-case hex SHA-256')
        .describe('SHA-256 of the ciphertext, checked when the last byte arrives'),
      groupId: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe(
          'The chat group the file is for (base64url MLS group id). The uploading device must be a current member of it (with an official token: one of the official’s devices), else 404 group_not_found',
        ),
      retentionDays: z
        .number()
        .int()
        .min(1)
        .max(MAX_RETENTION_DAYS)
        .optional()
        .describe('Days the file stays downloadable once complete (default 7, at most 30)'),
    })
    .strict(),
  'input',
);

export const DownloadLink = z.object({
  path: z.string().describe('The capability URL (relative to the API): anyone holding it may download'),
  expiresAt: isoDateTime(),
});

export const UploadView = named(
  'ChatFileUpload',
  z.object({
    id: z.string().uuid(),
    state: z.enum(['uploading', 'complete']),
    sizeBytes: z.number().int(),
    offset: z.number().int().describe('Bytes received: resume with Upload-Offset set to this'),
    sha256: z.string(),
    groupId: z.string().nullable(),
    chunkMaxBytes: z.number().int().describe('The most bytes one PATCH may carry'),
    expiresAt: isoDateTime().describe(
      'Uploading: when the unfinished upload is deleted; complete: when the file expires',
    ),
    download: DownloadLink.optional().describe(
      'Only in the reply that completes the upload (or issues a new link): the token is not stored',
    ),
  }),
);

export const UsageView = named(
  'ChatFileUsage',
  z.object({
    items: z.array(
      z.object({
        institutionId: z.string().uuid(),
        usedBytes: z.number().int(),
        quotaBytes: z.number().int(),
      }),
    ),
  }),
);
