import { defineErrors, type HttpStatus } from '@pakawaaz/platform';

// ── enrolment, device CA, devices list (helper B) ────────────────────────────────────────────────────────
type EnrolmentErrorCode =
  | 'enrolment_token_invalid'
  | 'enrolment_token_not_found'
  | 'enrolment_token_spent'
  | 'challenge_invalid'
  | 'attestation_malformed'
  | 'attestation_refused'
  | 'csr_invalid'
  | 'csr_key_mismatch'
  | 'device_already_enrolled'
  | 'official_not_found'
  | 'not_an_official'
  | 'official_disabled'
  | 'official_directory_unavailable'
  | 'device_not_found'
  | 'device_retired'
  | 'invalid_status_list';

const ENROLMENT_ERROR_STATUS = {
  enrolment_token_invalid: 401,
  enrolment_token_not_found: 404,
  enrolment_token_spent: 409,
  challenge_invalid: 409,
  attestation_malformed: 400,
  attestation_refused: 422,
  csr_invalid: 400,
  csr_key_mismatch: 422,
  device_already_enrolled: 409,
  official_not_found: 404,
  not_an_official: 422,
  official_disabled: 409,
  official_directory_unavailable: 503,
  device_not_found: 404,
  device_retired: 409,
  invalid_status_list: 400,
} as const satisfies Record<EnrolmentErrorCode, HttpStatus>;
// ─────────────────────────────────────────────────────────────────────────────────────────────────────────

export type DeviceMgmtErrorCode = EnrolmentErrorCode;

export const DEVICE_MGMT_ERROR_STATUS = {
  ...ENROLMENT_ERROR_STATUS,
} as const satisfies Record<DeviceMgmtErrorCode, HttpStatus>;

export const deviceMgmtError = defineErrors(DEVICE_MGMT_ERROR_STATUS);
