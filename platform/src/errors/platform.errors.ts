import { defineErrors, type HttpStatus } from './app-error.js';

export type PlatformErrorCode =
  | 'not_found'
  | 'method_not_allowed'
  | 'malformed_json'
  | 'invalid_characters'
  | 'unsupported_content_encoding'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'insufficient_authentication'
  | 'national_only'
  | 'out_of_scope'
  | 'capability_not_enabled'
  | 'rate_limited'
  // The device edge: handsets' certificates (mutual TLS, or forwarded by an allow-listed proxy).
  | 'device_certificate_required'
  | 'device_certificate_refused'
  | 'certificate_binding_failed'
  // A desktop device (the web chat): its DPoP proof (RFC 9449) is missing, malformed, stale or not this request's.
  | 'dpop_proof_invalid'
  // A token bound to a DPoP key (RFC 9449 `cnf.jkt`) without that key's proof, or a desktop's token unbound.
  | 'dpop_binding_failed'
  | 'malformed_client_certificate'
  | 'device_management_unavailable'
  | 'operator_route_on_device_port'
  | 'database_unavailable'
  // Several processes on one host: the one holding the answer (the lead) did not give it (starting again).
  | 'process_unavailable'
  | 'internal_error';

export const PLATFORM_ERROR_STATUS = {
  not_found: 404,
  method_not_allowed: 405,
  malformed_json: 400,
  invalid_characters: 400,
  unsupported_content_encoding: 415,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  insufficient_authentication: 403,
  national_only: 403,
  out_of_scope: 403,
  capability_not_enabled: 403,
  rate_limited: 429,
  device_certificate_required: 401,
  device_certificate_refused: 401,
  certificate_binding_failed: 401,
  dpop_proof_invalid: 401,
  dpop_binding_failed: 401,
  malformed_client_certificate: 400,
  device_management_unavailable: 503,
  operator_route_on_device_port: 403,
  database_unavailable: 503,
  process_unavailable: 503,
  internal_error: 500,
} as const satisfies Record<PlatformErrorCode, HttpStatus>;

export const platformError = defineErrors(PLATFORM_ERROR_STATUS);
