import { defineErrors, type HttpStatus } from '@pakawaaz/platform';

export type IdentityErrorCode =
  | 'invalid_credentials'
  | 'rate_limited'
  | 'login_ticket_invalid'
  | 'factor_not_available'
  | 'password_change_required'
  | 'weak_password'
  | 'token_not_found'
  | 'invalid_role'
  | 'role_scope'
  | 'user_not_found'
  | 'user_exists'
  | 'institution_not_found'
  | 'institution_exists'
  | 'institution_in_use'
  | 'institution_invalid'
  | 'institution_phase_changed'
  | 'session_not_found'
  | 'refresh_token_invalid'
  | 'totp_not_enrolled'
  | 'totp_already_enrolled'
  | 'totp_invalid'
  | 'passkey_invalid'
  | 'passkey_not_found'
  | 'sim_conversation_invalid'
  | 'device_auth_unavailable'
  | 'radius_client_exists'
  | 'radius_client_invalid'
  | 'radius_client_not_found'
  | 'factor_reset_not_found'
  | 'factor_reset_pending'
  | 'two_person_rule'
  | 'invalid_user_import'
  | 'user_import_too_large'
  | 'user_import_not_found'
  | 'user_import_unfinished'
  | 'enrolment_codes_gone'
  | 'enrolment_code_invalid'
  | 'directory_sync_invalid'
  | 'directory_sync_not_found'
  | 'directory_sync_running'
  | 'directory_link_exists'
  | 'directory_unreachable';

export const IDENTITY_ERROR_STATUS = {
  // One code for unknown user, wrong password, wrong factor, locked and disabled account: never reveal which.
  invalid_credentials: 401,
  rate_limited: 429,
  login_ticket_invalid: 401,
  factor_not_available: 400,
  password_change_required: 403,
  weak_password: 422,
  token_not_found: 404,
  invalid_role: 400,
  role_scope: 422,
  user_not_found: 404,
  user_exists: 409,
  institution_not_found: 404,
  institution_exists: 409,
  institution_in_use: 409,
  institution_invalid: 422,
  institution_phase_changed: 409,
  session_not_found: 404,
  refresh_token_invalid: 401,
  totp_not_enrolled: 409,
  totp_already_enrolled: 409,
  totp_invalid: 422,
  passkey_invalid: 401,
  passkey_not_found: 404,
  sim_conversation_invalid: 401,
  device_auth_unavailable: 503,
  radius_client_exists: 409,
  radius_client_invalid: 422,
  radius_client_not_found: 404,
  factor_reset_not_found: 404,
  factor_reset_pending: 409,
  // Two administrators, each signed in as themselves: the same one twice, or an API token, is refused.
  two_person_rule: 403,
  invalid_user_import: 400,
  user_import_too_large: 413,
  user_import_not_found: 404,
  user_import_unfinished: 409,
  // The codes were handed out once (or the job created nobody): they are never shown again.
  enrolment_codes_gone: 409,
  // One code for unknown, used, expired and mistyped codes, and a username that is not the code's.
  enrolment_code_invalid: 401,
  directory_sync_invalid: 422,
  directory_sync_not_found: 404,
  // A sync runs once at a time (a second run would create and disable the same officials twice).
  directory_sync_running: 409,
  directory_link_exists: 409,
  directory_unreachable: 503,
} as const satisfies Record<IdentityErrorCode, HttpStatus>;

export const identityError = defineErrors(IDENTITY_ERROR_STATUS);
