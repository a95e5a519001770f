import { NATIONAL_SCOPE, type Principal } from '@pakawaaz/platform';

/**
 * An operator signed in with a password (aal1) holding `roles` in `institutionId` (national when null), as
 * the auth guard hands a service the verified token's principal; its name is its id.
 */
export const operatorPrincipal = (
  id: string,
  roles: Principal['roles'],
  institutionId: string | null = null,
): Principal => ({
  actor: { type: 'operator', id },
  name: id,
  roles,
  institutionId,
  scope: institutionId === null ? NATIONAL_SCOPE : { kind: 'institution', institutionIds: [institutionId] },
  amr: ['pwd'],
  acr: 'aal1',
  tokenId: `jti-${id}`,
});
