import { defineErrors, type HttpStatus } from '@pakawaaz/platform';

// --- check-in, policies, compliance and commands -------------------------------------------------------
export type DeviceMgmtErrorCode =
  | 'device_not_found'
  | 'device_not_active'
  | 'policy_not_found'
  | 'policy_changed'
  | 'command_not_found'
  | 'command_not_cancellable'
  | 'command_not_delivered'
  | 'idempotency_key_reused';

export const DEVICE_MGMT_ERROR_STATUS = {
  // Also for a device of another institution: saying "it exists, not for you" would leak it.
  device_not_found: 404,
  // Wiped or retired: final states, nothing more can be done to or by the handset.
  device_not_active: 409,
  policy_not_found: 404,
  // The policy is no longer the baseVersion the change was made against (optimistic concurrency).
  policy_changed: 409,
  command_not_found: 404,
  command_not_cancellable: 409,
  // An acknowledgement of a command the device was never given.
  command_not_delivered: 409,
  // The idempotency key names an existing command of another type or with other parameters.
  idempotency_key_reused: 409,
} as const satisfies Record<DeviceMgmtErrorCode, HttpStatus>;

export const deviceMgmtError = defineErrors(DEVICE_MGMT_ERROR_STATUS);
