import { isoDateTime, named } from '@pakawaaz/platform';
import { describeCertificates } from './ldap-tls.js';
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
      startTls: z
        .boolean()
        .default(false)
        .describe('ldap:// only: upgrade the connection with StartTLS (RFC 4513) before the bind'),
      caCertificates: z
        .string()
        .max(64 * 1024)
        .nullable()
        .optional()
        .describe(
          "PEM of the CA(s) that issued the directory's certificate (ldaps:// or StartTLS); without it, the system's CAs",
        ),
      allowPlaintext: z
        .boolean()
        .default(false)
        .describe('ldap:// without StartTLS: the bind password and every entry cross the network in clear'),
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
    })
    .refine((v) => !(v.startTls && v.url.startsWith('ldaps:')), {
      message: 'ldaps:// is TLS already: StartTLS is for ldap:// only',
      path: ['startTls'],
    })
    .refine((v) => v.url.startsWith('ldaps:') || v.startTls || v.allowPlaintext, {
      message:
        'ldap:// sends the bind password in clear: use ldaps://, set startTls, or set allowPlaintext to accept it',
      path: ['url'],
    })
    .refine((v) => !v.caCertificates || !(v.allowPlaintext && !v.startTls && v.url.startsWith('ldap:')), {
      message: 'caCertificates need TLS (ldaps:// or startTls)',
      path: ['caCertificates'],
    }),
);

export const DirectorySync = named(
  'DirectorySync',
  z.object({
    id: z.string(),
    name: z.string(),
    url: z.string(),
    transport: z
      .enum(['ldaps', 'starttls', 'plaintext'])
      .describe('how the connection is protected; plaintext sends the bind password in clear'),
    caCertificates: z
      .array(z.object({ subject: z.string(), sha256: z.string(), notAfter: isoDateTime() }))
      .describe("the pinned CAs for the directory's certificate; empty: the system's CAs"),
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
  const { startTls, allowPlaintext: _plain, caCertificates, ...rest } = s;
  return {
    ...rest,
    transport: s.url.startsWith('ldaps:') ? 'ldaps' : startTls ? 'starttls' : 'plaintext',
    caCertificates: caCertificates ? describeCertificates(caCertificates) : [],
    mapping: s.mapping,
    lastRunAt: s.lastRunAt?.toISOString() ?? null,
    createdAt: s.createdAt.toISOString(),
  };
}

export const CreateDirectoryLink = named(
  'CreateDirectoryLink',
  z.object({ user: z.string().trim().min(1).max(200).describe('the official: username or id') }),
);
export const DirectoryLink = named(
  'DirectoryLink',
  z.object({
    sync: z.string(),
    userId: z.string(),
    username: z.string(),
    dn: z.string().describe("the official's entry in the directory"),
  }),
);
