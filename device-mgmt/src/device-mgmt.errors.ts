import { defineErrors, type HttpStatus } from '@pakawaaz/platform';

// Enrolment, the device CA and the devices list.
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
  | 'invalid_status_list'
  | 'sim_not_assigned'
  | 'renewal_rate_limited'
  | 'desktop_devices_forbidden'
  | 'desktop_limit_reached'
  | 'fresh_sign_in_required';

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
  // Also for a device of another institution: saying "it exists, not for you" would leak it.
  device_not_found: 404,
  device_retired: 409,
  invalid_status_list: 400,
  // An enrolment token may bind only a SIM assigned to its official (it is the SIM a lost handset bars).
  sim_not_assigned: 422,
  // More certificate renewals than RENEWALS_PER_HOUR for one device (Retry-After says when to come back).
  renewal_rate_limited: 429,
  // The institution's device policy (allowDesktop: false) forbids enrolling a browser as a desktop device.
  desktop_devices_forbidden: 403,
  // An official holds DESKTOPS_PER_OFFICIAL live desktop devices already: retire one first.
  desktop_limit_reached: 409,
  // A desktop's enrolment needs a recent sign-in (auth_time) at the assurance level configured: sign in again.
  fresh_sign_in_required: 401,
} as const satisfies Record<EnrolmentErrorCode, HttpStatus>;

// Check-in, policies, compliance and commands.
type CheckInErrorCode =
  | 'device_not_active'
  | 'policy_not_found'
  | 'policy_changed'
  | 'policy_below_national_floor'
  | 'command_not_found'
  | 'command_not_cancellable'
  | 'command_not_delivered'
  | 'idempotency_key_reused';

const CHECK_IN_ERROR_STATUS = {
  // Wiped or retired: final states, nothing more can be done to or by the handset.
  device_not_active: 409,
  policy_not_found: 404,
  // The policy is no longer the baseVersion the change was made against (optimistic concurrency).
  policy_changed: 409,
  // An institution's policy weaker than the national one (details.fields names the settings).
  policy_below_national_floor: 422,
  command_not_found: 404,
  command_not_cancellable: 409,
  // An acknowledgement of a command the device was never given.
  command_not_delivered: 409,
  // The idempotency key names an existing command of another type or with other parameters.
  idempotency_key_reused: 409,
} as const satisfies Record<CheckInErrorCode, HttpStatus>;

// Device groups within an institution.
type GroupErrorCode =
  'device_group_not_found' | 'device_group_name_taken' | 'device_group_institution_required';

const GROUP_ERROR_STATUS = {
  // Also for a group of another institution.
  device_group_not_found: 404,
  // Group names are unique within an institution (case-insensitive).
  device_group_name_taken: 409,
  // A national principal names the institution a new group belongs to.
  device_group_institution_required: 422,
} as const satisfies Record<GroupErrorCode, HttpStatus>;

export type DeviceMgmtErrorCode = EnrolmentErrorCode | CheckInErrorCode | GroupErrorCode;

export const DEVICE_MGMT_ERROR_STATUS = {
  ...ENROLMENT_ERROR_STATUS,
  ...CHECK_IN_ERROR_STATUS,
  ...GROUP_ERROR_STATUS,
} as const satisfies Record<DeviceMgmtErrorCode, HttpStatus>;

export const deviceMgmtError = defineErrors(DEVICE_MGMT_ERROR_STATUS);
