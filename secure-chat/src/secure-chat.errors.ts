import { defineErrors, type HttpStatus } from '@pakawaaz/platform';

export type SecureChatErrorCode =
  | 'invalid_chat_input'
  | 'mls_malformed'
  | 'mls_too_large'
  | 'mls_unsupported'
  | 'mls_bad_signature'
  | 'mls_credential_refused'
  | 'mls_external_sender_missing'
  | 'mls_stale_epoch'
  | 'mls_member_removed'
  | 'mls_commit_mismatch'
  | 'device_removed_from_chat'
  | 'mls_wrong_group'
  | 'key_package_expired'
  | 'official_not_found'
  | 'group_not_found'
  | 'group_exists'
  | 'not_a_member'
  | 'client_id_reused'
  | 'chat_rate_limited'
  | 'chat_policy_forbids'
  | 'chat_policy_not_found'
  | 'directory_unavailable'
  | 'mls_busy';

export const SECURE_CHAT_ERROR_STATUS = {
  // The request body is not what the operation takes (field missing, not base64url, too many items).
  invalid_chat_input: 400,
  // The bytes are not the MLS structure the field names (RFC 9420 TLS encoding, wrapped as MLSMessage).
  mls_malformed: 400,
  // Over the limits of docs/secure-chat.md (message 256 KiB, KeyPackage 16 KiB, GroupInfo or Welcome 1 MiB).
  mls_too_large: 413,
  // Another cipher suite than MLS_128_DHKEMP256_AES128GCM_SHA256_P256, another protocol version or credential.
  mls_unsupported: 422,
  // A KeyPackage or GroupInfo whose signature does not verify, or a signature key that is not the certificate's.
  mls_bad_signature: 422,
  // A credential that is not a live device certificate of ours, or (KeyPackages) not the calling device's own.
  mls_credential_refused: 403,
  // A group must list the server's external sender (GET /api/v1/chat/external-sender) at registration.
  mls_external_sender_missing: 422,
  // The commit is for another epoch than the group's current one: fetch the inbox, process, rebase, retry.
  mls_stale_epoch: 409,
  // The new tree still holds a device the server removed (revoked, lost, official disabled) or whose official
  // left the group: fetch the inbox, where the server's Remove proposal waits, and commit it with the change.
  mls_member_removed: 409,
  // The GroupInfo sent with a commit is not what the commit makes of the group's current epoch: its tree is not
  // the previous tree with exactly the commit's proposals and path applied (a member kept, dropped or added
  // without a proposal), its context is not the next one, another leaf signed it, or the commit names a
  // proposal the server does not hold. Not retryable as it is: the client's MLS state is wrong.
  mls_commit_mismatch: 422,
  // This device was taken out of chat (revoked, wiped, lost, retired, or its official disabled).
  device_removed_from_chat: 403,
  // The GroupInfo or message names another group (or the GroupInfo is not for the next epoch).
  mls_wrong_group: 422,
  // The KeyPackage's lifetime does not cover now.
  key_package_expired: 422,
  // No active official with this username or id that the caller may see (the same answer for each).
  official_not_found: 404,
  // No group with this id, or the caller's device is not one of its members (the same answer for each).
  group_not_found: 404,
  // A group with this id is already registered.
  group_exists: 409,
  // The calling device is not a member of the group's current epoch.
  not_a_member: 403,
  // The client id was used before by this device for another operation.
  client_id_reused: 409,
  // Too many frames or requests from one device: slow down.
  chat_rate_limited: 429,
  // An institution's chat policy (details.institutionId: whose) forbids its officials to share a group with the
  // other official's institution (details.otherInstitutionId, null: national).
  chat_policy_forbids: 403,
  // No chat policy of this institution that the caller may read (another institution's is the same answer).
  chat_policy_not_found: 404,
  // Identity's directory does not answer on this node.
  directory_unavailable: 503,
  // The MLS worker threads are busy (their queue for this kind of work is full, or the task waited too long),
  // or one stopped (a crash, or a check past 30 s): retry after `Retry-After` seconds.
  mls_busy: 503,
} as const satisfies Record<SecureChatErrorCode, HttpStatus>;

export const secureChatError = defineErrors(SECURE_CHAT_ERROR_STATUS);
