import { defineErrors, type HttpStatus } from '@pakawaaz/platform';

export type IdentityErrorCode = 'invalid_credentials' | 'token_not_found' | 'invalid_role';

export const IDENTITY_ERROR_STATUS = {
  // One code for unknown user, wrong password and disabled account: never reveal which.
  invalid_credentials: 401,
  token_not_found: 404,
  invalid_role: 400,
} as const satisfies Record<IdentityErrorCode, HttpStatus>;

export const identityError = defineErrors(IDENTITY_ERROR_STATUS);
