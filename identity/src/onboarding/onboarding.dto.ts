import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';
import type { UserImportJobRow } from './user-imports.repository.js';

export const UserImportJob = named(
  'UserImportJob',
  z.object({
    id: z.string(),
    filename: z.string(),
    dryRun: z.boolean().describe('a dry run plans and counts; it changes nothing and issues no codes'),
    status: z.enum(['queued', 'running', 'completed', 'failed']),
    totalRows: z.number().int(),
    processedRows: z
      .number()
      .int()
      .describe('rows committed so far (created + updated + unchanged + invalid)'),
    created: z.number().int().describe('officials created (a dry run: that would be created)'),
    updated: z.number().int().describe('officials whose profile changed (a dry run: would change)'),
    unchanged: z.number().int(),
    invalid: z.number().int().describe('rows refused (see errors)'),
    disabled: z
      .number()
      .int()
      .describe('officials disabled because they left the directory (directory syncs)'),
    imsis: z
      .number()
      .int()
      .describe('accepted rows naming a SIM to assign (validated; assigned by a SIM operator)'),
    errors: z.array(
      z.object({ line: z.number().int(), reason: z.string(), username: z.string().optional() }),
    ),
    failure: z.string().nullable(),
    codesAvailable: z
      .boolean()
      .describe('enrolment codes wait, sealed, for their one download by the creator'),
    createdBy: z.string(),
    createdAt: isoDateTime(),
    finishedAt: isoDateTime().nullable(),
  }),
);
export const UserImportJobList = named('UserImportJobList', z.object({ jobs: z.array(UserImportJob) }));

export const UserImportQuery = z.object({
  filename: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^/\\]+$/)
    .default('officials.csv'),
  dryRun: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export const EnrolRequest = named(
  'EnrolRequest',
  z.object({
    username: z.string().min(1).max(64),
    code: z.string().min(20).max(64).describe('the one-time enrolment code (dashes and case do not matter)'),
    password: z.string().min(1).max(1024),
  }),
);
export const EnrolResult = named(
  'EnrolResult',
  z.object({ username: z.string(), next: z.literal('sign-in') }),
);

export function importJobView(j: UserImportJobRow): z.infer<typeof UserImportJob> {
  return {
    id: j.id,
    filename: j.filename,
    dryRun: j.dryRun,
    status: j.status,
    totalRows: j.totalRows,
    processedRows: j.created + j.updated + j.unchanged + j.invalid,
    created: j.created,
    updated: j.updated,
    unchanged: j.unchanged,
    invalid: j.invalid,
    disabled: j.disabled,
    imsis: j.imsis,
    errors: j.errors,
    failure: j.failure,
    codesAvailable: !j.dryRun && j.codesDownloadedAt === null && j.created > 0,
    createdBy: j.createdByName,
    createdAt: j.createdAt.toISOString(),
    finishedAt: j.finishedAt?.toISOString() ?? null,
  };
}
