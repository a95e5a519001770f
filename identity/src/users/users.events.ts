import { defineEvent } from '@pakawaaz/platform';
import { z } from 'zod';
import type { UserRow } from './users.repository.js';
import { USER_KINDS } from './users.schema.js';

/**
 * The facts about a user other domains copy (core-network keeps an official's name and institution on their
 * subscribers). `factsAt` is the user row's `updated_at` after the change: a consumer applies facts newer
 * than those it holds, so a redelivered or overtaken event never rolls a copy back.
 */
const UserFacts = {
  userId: z.uuid(),
  username: z.string().min(1).max(64),
  kind: z.enum(USER_KINDS),
  displayName: z.string().min(1).max(200),
  institutionId: z.uuid().nullable(),
  factsAt: z.iso.datetime({ offset: true }),
};

/** The profile fields an update may change; `changed` lists those the update touched. */
export const USER_FIELDS = [
  'displayName',
  'designation',
  'institutionId',
  'email',
  'phone',
  'roles',
] as const;

const ayesha = {
  userId: '3f1c9a52-7a4e-4c1b-9f0e-2b8d6c4a1e07',
  username: 'ayesha',
  kind: 'official' as const,
  displayName: 'Ayesha Khan',
  institutionId: '8b2e4f10-5c3d-4a6b-8e9f-0a1b2c3d4e5f',
  factsAt: '2026-03-02T09:15:00.000Z',
};

/** What an update may report as changed: the profile fields, and the factors or password of a reset. */
export const CHANGED_FIELDS = [...USER_FIELDS, 'factors', 'password'] as const;

export const UserUpdated = defineEvent(
  'identity.user.updated',
  z.object({ ...UserFacts, changed: z.array(z.enum(CHANGED_FIELDS)).max(CHANGED_FIELDS.length) }),
  {
    examples: [
      { ...ayesha, displayName: 'Ayesha Khan Durrani', changed: ['displayName'] },
      { ...ayesha, institutionId: '0c9d8e7f-6a5b-4c3d-8e1f-2a3b4c5d6e7f', changed: ['institutionId'] },
      { ...ayesha, kind: 'operator', username: 'noc.zara', institutionId: null, changed: ['roles'] },
      { ...ayesha, changed: ['factors', 'password'] },
    ],
  },
);

const StatusChange = z.object({ ...UserFacts, reason: z.string().max(500).nullable() });

export const UserDisabled = defineEvent('identity.user.disabled', StatusChange, {
  examples: [
    { ...ayesha, reason: 'left the ministry' },
    { ...ayesha, kind: 'operator', username: 'noc.zara', institutionId: null, reason: null },
  ],
});

export const UserEnabled = defineEvent('identity.user.enabled', StatusChange, {
  examples: [{ ...ayesha, reason: null }],
});

/**
 * An account's password step closed at the guess limit (the account is under attack): security officers
 * should look. The facts are the account's; `failures` is the count that closed it.
 */
export const UserPasswordClosed = defineEvent(
  'identity.user.password-closed',
  z.object({
    ...UserFacts,
    failures: z.number().int().positive(),
    closedAt: z.iso.datetime({ offset: true }),
  }),
  { examples: [{ ...ayesha, failures: 100, closedAt: '2026-03-02T09:20:00.000Z' }] },
);

export type UserStatusEvent = z.output<typeof StatusChange>;
export type UserUpdatedEvent = z.output<typeof UserUpdated.schema>;

/** What other domains may copy about a user, as of the row's last change. */
export function userFacts(row: UserRow) {
  return {
    userId: row.id,
    username: row.username,
    kind: row.kind,
    displayName: row.displayName,
    institutionId: row.institutionId,
    factsAt: row.updatedAt.toISOString(),
  };
}
