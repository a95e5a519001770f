import { NATIONAL_SCOPE, type Principal, type Role } from '@pakawaaz/platform';

/** An operator of this institution (null: a national one) with these roles, chat-admin by default. */
export const operator = (institutionId: string | null, roles: Role[] = ['chat-admin']): Principal => ({
  actor: { type: 'operator', id: `op-${institutionId ?? 'national'}` },
  name: `op-${institutionId ?? 'national'}`,
  roles,
  institutionId,
  scope: institutionId ? { kind: 'institution', institutionIds: [institutionId] } : NATIONAL_SCOPE,
  amr: ['pwd'],
  acr: 'aal1',
  tokenId: 'jti',
});
