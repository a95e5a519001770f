import { isIPv6 } from 'node:net';
import { named } from '@pakawaaz/platform';
import { z } from 'zod';
import type { AssignInput } from './subscribers.service.js';

export const Imsi = z.string().regex(/^\d{15}$/, 'IMSI: 15 digits');
export const Ipv4 = z
  .string()
  .regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, 'an IPv4 address');
/** A plain IPv6 address (no zone, no prefix: Open5GS's ogs_ipsubnet reads `ue.ipv6` as one address). */
export const Ipv6 = z
  .string()
  .max(45)
  .refine((v) => isIPv6(v) && !v.includes('%'), 'an IPv6 address, e.g. 2001:db8:cafe:ff01::10');
export const ProfileName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'profile name: lower-case letters, digits, dashes');

export const AssignSubscriber = named(
  'AssignSubscriber',
  z
    .object({
      imsi: Imsi,
      /** The official: username or user id. Their name and institution come from identity. */
      official: z.string().trim().min(1).max(128).optional(),
      /** Deprecated: the same as `official` (a username or id). */
      userId: z.string().trim().min(1).max(128).optional(),
      /** Deprecated and ignored: the name is identity's. */
      displayName: z.string().max(200).optional(),
      /** Optional check: when given it must be the official's institution (null: none), else 409. */
      institutionId: z.string().max(64).nullable().optional(),
      profile: ProfileName.optional(),
      staticIpv4: Ipv4.nullable().optional(),
      staticIpv6: Ipv6.nullable().optional(),
    })
    .strict()
    .refine((b) => (b.official ?? b.userId) !== undefined, {
      message: 'name the official: a username or user id',
      path: ['official'],
    }),
  'input',
);

/** The service's input: the official from `official`, or from the deprecated `userId`; `displayName` dropped. */
export function assignInput(body: z.infer<typeof AssignSubscriber>): AssignInput {
  const { official, userId, displayName: _ignored, ...rest } = body;
  return { ...rest, official: (official ?? userId)! };
}
