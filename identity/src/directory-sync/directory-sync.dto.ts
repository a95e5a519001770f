import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';
import type { DirectorySyncView } from './directory-sync.service.js';

const Attr = z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'an LDAP attribute name');
const Mapping = z.object({
  username: Attr,
  displayName: Attr,
  designation: Attr.optional(),
  institution: Attr.optional(),
  email: Attr.optional(),
  phone: Attr.optional(),
  imsi: Attr.optional(),
});

export const CreateDirectorySync = named(
  'CreateDirectorySync',
  z
    .object({
      name: z.string().trim().min(1).max(100),
      url: z.string().regex(/^ldaps?:\/\/[^\s/]+\/?$/, 'ldap://host[:port] or ldaps://host[:port]'),
      bindDn: z.string().min(1).max(500),
      bindPassword: z
        .string()
        .min(1)
        .max(500)
        .describe('sealed with the identity secrets key; never shown again'),
      baseDn: z.string().min(1).max(500),
      filter: z.string().min(3).max(1000).startsWith('(').default('(objectClass=inetOrgPerson)'),
      mapping: Mapping.describe(
        'directory attribute of each official field (e.g. uid, cn, title, ou, mail, telephoneNumber)',
      ),
      institution: z
        .string()
        .min(1)
        .max(200)
        .nullable()
        .optional()
        .describe('institution (id or name) of every entry, when the mapping names no institution attribute'),
      intervalMinutes: z
        .number()
        .int()
        .min(5)
        .max(7 * 24 * 60)
        .nullable()
        .optional()
        .describe('run on this schedule; null: by hand only'),
    })
    .refine((v) => v.mapping.institution || v.institution, {
      message: 'give mapping.institution or institution',
      path: ['institution'],
    }),
);

export const DirectorySync = named(
  'DirectorySync',
  z.object({
    id: z.string(),
    name: z.string(),
    url: z.string(),
    bindDn: z.string(),
    baseDn: z.string(),
    filter: z.string(),
    mapping: Mapping,
    institution: z.string().nullable(),
    intervalMinutes: z.number().int().nullable(),
    lastRunAt: isoDateTime().nullable(),
    lastJobId: z.string().nullable(),
    createdAt: isoDateTime(),
  }),
);
export const DirectorySyncList = named('DirectorySyncList', z.object({ syncs: z.array(DirectorySync) }));
export const RunQuery = z.object({
  dryRun: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export function syncView(s: DirectorySyncView): z.infer<typeof DirectorySync> {
  return {
    ...s,
    mapping: s.mapping,
    lastRunAt: s.lastRunAt?.toISOString() ?? null,
    createdAt: s.createdAt.toISOString(),
  };
}
