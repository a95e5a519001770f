import { defineErrors, type HttpStatus } from '@pakawaaz/platform';

export type CallsErrorCode =
  | 'invalid_call_input'
  | 'media_host_not_found'
  | 'media_host_exists'
  | 'media_host_busy'
  | 'media_host_unreachable'
  | 'calls_unavailable'
  | 'call_not_found'
  | 'call_in_progress'
  | 'call_full'
  | 'call_limit_reached'
  | 'call_ended'
  | 'not_call_starter'
  | 'call_not_ringing';

export const CALLS_ERROR_STATUS = {
  invalid_call_input: 400,
  media_host_not_found: 404,
  // Another host has this name.
  media_host_exists: 409,
  // The host holds live calls: end them (or wait) before removing it; details.rooms says how many.
  media_host_busy: 409,
  // The host's admin API did not answer (or refused the admin secret) when it was added.
  media_host_unreachable: 422,
  // No enabled media host is up with room for another call (no Janus, all down or full): calls are disabled
  // until one is; chat works.
  calls_unavailable: 503,
  // No live or ended call with this id in a group the calling device is a member of.
  call_not_found: 404,
  // The group has a live call: join it (details.callId).
  call_in_progress: 409,
  call_full: 409,
  // The device already holds PAKAWAAZ_CALLS_MAX_STARTED_PER_DEVICE live calls it started (details.limit).
  call_limit_reached: 429,
  call_ended: 410,
  // Only the device that started a call ends it for everyone; the others leave.
  not_call_starter: 403,
  // A signal about the ringing (invite, decline, busy, cancel) of a call that does not ring (any more): rung
  // already, answered or over, or the device is not one it rings.
  call_not_ringing: 409,
} as const satisfies Record<CallsErrorCode, HttpStatus>;

export const callsError = defineErrors(CALLS_ERROR_STATUS);
