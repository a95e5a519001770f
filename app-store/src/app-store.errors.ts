import { defineErrors, type HttpStatus } from '@pakawaaz/platform';

export type AppStoreErrorCode =
  | 'invalid_store_input'
  | 'not_a_developer'
  | 'developer_org_required'
  | 'developer_org_not_found'
  | 'developer_org_exists'
  | 'user_not_found'
  | 'user_directory_unavailable'
  | 'outside_institution_scope'
  | 'policy_below_national_floor'
  | 'app_not_found'
  | 'app_version_not_found'
  | 'apk_too_large'
  | 'apk_truncated'
  | 'apk_upload_timeout'
  | 'apk_uploads_busy'
  | 'apk_inspector_unavailable'
  | 'apk_not_verified'
  | 'apk_manifest_incomplete'
  | 'package_owned_by_another_org'
  | 'signer_mismatch'
  | 'version_code_not_increasing'
  | 'version_not_in_review'
  | 'version_not_withdrawable'
  | 'review_by_uploader'
  | 'already_reviewed'
  | 'policy_findings_unresolved'
  | 'log_entry_not_found'
  | 'log_size_invalid'
  | 'catalogue_not_found'
  | 'catalogue_diff_not_found'
  | 'catalogue_log_unavailable'
  | 'apk_not_found'
  | 'rollout_not_found'
  | 'rollout_exists'
  | 'rollout_state_conflict'
  | 'version_not_rollable'
  | 'percent_not_increasing'
  | 'fleet_unavailable';

export const APP_STORE_ERROR_STATUS = {
  invalid_store_input: 400,
  // The caller holds no membership of a developer organisation in its scope: it cannot publish.
  not_a_developer: 403,
  // The caller belongs to several organisations and the package is new: say which one owns it (?org=).
  developer_org_required: 400,
  developer_org_not_found: 404,
  developer_org_exists: 409,
  // A developer organisation's new member: no user with this id, or one outside the caller's scope (the same
  // answer for both, so another institution's people are not said to exist).
  user_not_found: 404,
  // Identity does not answer on this node: no member can be checked, so none is added.
  user_directory_unavailable: 503,
  // An institution's reviewer creates organisations and sets the policy of its own institution only (vendors'
  // organisations and the national policy: national callers).
  outside_institution_scope: 403,
  // The national store policy is a floor: an institution's may be stricter, never weaker (details.fields names
  // every weaker setting).
  policy_below_national_floor: 422,
  app_not_found: 404,
  app_version_not_found: 404,
  // Over PAKAWAAZ_STORE_APK_MAX_BYTES, declared (refused before reading) or counted while reading.
  apk_too_large: 413,
  apk_truncated: 400,
  // The upload idled (PAKAWAAZ_STORE_APK_UPLOAD_IDLE_SECONDS without a byte) or overran its total time
  // (proportional to the cap): its slot is freed, nothing is stored; send it again.
  apk_upload_timeout: 400,
  // The node already streams its MAX_CONCURRENT_UPLOADS APKs: try again after Retry-After.
  apk_uploads_busy: 429,
  // This node has no APK inspector bound: nothing can be verified, so nothing is accepted.
  apk_inspector_unavailable: 503,
  // The APK's signatures do not verify (v2 or v3 required), or it is not an APK at all: details name why.
  apk_not_verified: 422,
  // A verified APK whose manifest lacks its package name or versionCode.
  apk_manifest_incomplete: 422,
  // The package name belongs to an organisation the caller is not a member of.
  package_owned_by_another_org: 409,
  // Signed by a key that is neither the app's pinned signer nor a v3-rotation successor of it.
  signer_mismatch: 422,
  version_code_not_increasing: 409,
  version_not_in_review: 409,
  // Only a version in review or approved can be withdrawn (a rejected one never reaches a handset).
  version_not_withdrawable: 409,
  // Four eyes: whoever uploaded a version does not review it.
  review_by_uploader: 403,
  already_reviewed: 409,
  // A version with policy findings (denied permission, debuggable, cleartext, target SDK) cannot be approved.
  policy_findings_unresolved: 409,
  // No APK with this SHA-256 is in the transparency log (not approved, or not yet).
  log_entry_not_found: 404,
  // A tree size beyond the log's latest checkpoint, or a consistency range whose start is past its end.
  log_size_invalid: 400,
  // The device belongs to no institution (catalogues are per institution), or the institution is out of scope.
  catalogue_not_found: 404,
  // No kept catalogue has this timestamp (too old, or never published): fetch the full index instead.
  catalogue_diff_not_found: 404,
  // The APK transparency log is not bound or does not answer: no catalogue can carry inclusion proofs.
  catalogue_log_unavailable: 503,
  // No APK with this SHA-256 in the current catalogue of the device's institution (never approved, withdrawn,
  // another institution's, or the device belongs to none): the same answer for each, so nothing leaks.
  apk_not_found: 404,
  // No app rollout with this id in the caller's scope (another institution's is not said to exist).
  rollout_not_found: 404,
  // The app has a running or paused rollout in this institution: halt it, or let it complete, first.
  rollout_exists: 409,
  // The rollout is not in a state that allows this (it changed meanwhile, or it is halted or completed).
  rollout_state_conflict: 409,
  // Only an approved, not withdrawn, stable or beta version the institution's catalogue offers is rolled out.
  version_not_rollable: 409,
  // A rollout only widens: a device that has the version keeps it, so a smaller share would mean nothing.
  percent_not_increasing: 409,
  // This node has no device fleet bound (device-mgmt): nothing can be installed or uninstalled from it.
  fleet_unavailable: 503,
} as const satisfies Record<AppStoreErrorCode, HttpStatus>;

export const appStoreError = defineErrors(APP_STORE_ERROR_STATUS);
