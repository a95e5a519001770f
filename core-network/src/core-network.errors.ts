import { defineErrors, type HttpStatus } from '@pakawaaz/platform';

export type CoreNetworkErrorCode =
  | 'sim_import_too_large'
  | 'invalid_sim_import'
  | 'sim_import_not_found'
  | 'network_spec_missing'
  | 'sim_not_found'
  | 'sim_not_available'
  | 'subscriber_not_found'
  | 'subscriber_exists'
  | 'profile_not_found'
  | 'profile_in_use'
  | 'invalid_profile'
  | 'open5gs_not_configured'
  | 'official_not_found'
  | 'official_disabled'
  | 'not_an_official'
  | 'institution_mismatch'
  | 'official_directory_unavailable'
  | 'invalid_assignment_file'
  | 'assignment_file_too_large'
  | 'assignment_job_not_found'
  | 'invalid_static_ip'
  | 'static_ip_in_use'
  | 'profile_strands_static_addresses';

export const CORE_NETWORK_ERROR_STATUS = {
  sim_import_too_large: 413,
  invalid_sim_import: 400,
  sim_import_not_found: 404,
  network_spec_missing: 409,
  sim_not_found: 404,
  sim_not_available: 409,
  subscriber_not_found: 404,
  subscriber_exists: 409,
  profile_not_found: 404,
  profile_in_use: 409,
  invalid_profile: 422,
  open5gs_not_configured: 409,
  official_not_found: 404,
  official_disabled: 409,
  not_an_official: 422,
  institution_mismatch: 409,
  official_directory_unavailable: 503,
  invalid_assignment_file: 400,
  assignment_file_too_large: 413,
  assignment_job_not_found: 404,
  // Outside the DNN's static block of the running spec, or the profile has no session of its family to carry it.
  invalid_static_ip: 422,
  // Another subscriber has this static address (IPv6: an address in its /64); the message names them.
  static_ip_in_use: 409,
  // A profile change would move subscribers' static addresses to a DNN whose static block does not hold them.
  profile_strands_static_addresses: 409,
} as const satisfies Record<CoreNetworkErrorCode, HttpStatus>;

export const coreNetworkError = defineErrors(CORE_NETWORK_ERROR_STATUS);
