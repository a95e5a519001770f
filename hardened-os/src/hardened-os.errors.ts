import { defineErrors, type HttpStatus } from '@pakawaaz/platform';

export type HardenedOsErrorCode =
  | 'invalid_os_registry_input'
  | 'device_model_not_found'
  | 'device_model_exists'
  | 'boot_key_not_found'
  | 'boot_key_exists'
  | 'boot_key_compromised'
  | 'release_not_found'
  | 'release_exists'
  | 'payload_too_large'
  | 'payload_truncated'
  | 'payload_digest_mismatch'
  | 'payload_upload_timeout'
  | 'payload_exists'
  | 'payload_uploads_busy'
  | 'tuf_metadata_invalid'
  | 'tuf_metadata_rejected'
  | 'tuf_root_missing'
  | 'tuf_target_unknown'
  | 'tuf_key_refused'
  | 'tuf_demo_root_refused'
  | 'tuf_metadata_not_found'
  | 'invalid_rollout'
  | 'rollout_not_found'
  | 'rollout_exists_for_model'
  | 'rollout_state_conflict'
  | 'rollout_stage_over_threshold'
  | 'unknown_institution';

export const HARDENED_OS_ERROR_STATUS = {
  invalid_os_registry_input: 400,
  device_model_not_found: 404,
  device_model_exists: 409,
  boot_key_not_found: 404,
  boot_key_exists: 409,
  // A compromised key stays compromised: it cannot be made active or retired again.
  boot_key_compromised: 409,
  release_not_found: 404,
  release_exists: 409,
  payload_too_large: 413,
  payload_truncated: 400,
  payload_digest_mismatch: 422,
  // The upload idled (PAKAWAAZ_OS_PAYLOAD_UPLOAD_IDLE_SECONDS without a byte) or overran its total time
  // (proportional to the cap): its slot is freed, nothing is stored; send it again.
  payload_upload_timeout: 400,
  payload_exists: 409,
  // The node already streams its MAX_CONCURRENT_UPLOADS payloads: try again after Retry-After.
  payload_uploads_busy: 429,
  // Metadata that does not parse, or is larger than its role's limit.
  tuf_metadata_invalid: 400,
  // Well-formed metadata that fails TUF's checks: signatures below threshold, version not newer, expired.
  tuf_metadata_rejected: 422,
  // Targets (or a publication) before any root was imported.
  tuf_root_missing: 409,
  // A signed target whose bytes are not a stored OTA payload: clients could never download it.
  tuf_target_unknown: 422,
  // Signing with a key that is retired (no longer in root) or marked compromised.
  tuf_key_refused: 409,
  // A root marked demo-only (keys on the operator's disk) on a production node: it would become the trust anchor.
  tuf_demo_root_refused: 409,
  tuf_metadata_not_found: 404,
  invalid_rollout: 400,
  rollout_not_found: 404,
  // A manual advance while the failure rate is over the threshold: halt, or advance with force (audited).
  rollout_stage_over_threshold: 409,
  // One scheduled, running or paused rollout per model: halt or finish it first.
  rollout_exists_for_model: 409,
  // Pause, resume, halt or advance asked of a rollout in a state that does not allow it.
  rollout_state_conflict: 409,
  unknown_institution: 404,
} as const satisfies Record<HardenedOsErrorCode, HttpStatus>;

export const hardenedOsError = defineErrors(HARDENED_OS_ERROR_STATUS);
