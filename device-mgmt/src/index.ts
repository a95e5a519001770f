// Public face of the device-mgmt domain: the only module other packages may import.
export { deviceMgmtDomain } from './device-mgmt.domain.js';
export { DeviceMgmtModule } from './device-mgmt.module.js';
export { loadDeviceMgmtConfig, type DeviceMgmtConfig } from './device-mgmt.config.js';
export {
  DeviceLost,
  DeviceNonCompliant,
  DeviceOsUpdate,
  type DeviceOsUpdateEvent,
} from './device-mgmt.events.js';
// The port hardened-os's releases are bound to (our verified-boot keys, the minimum patch level).
export { HARDENED_OS_RELEASES, type HardenedOsReleases } from './attestation/policy.js';
// The port hardened-os's rollout engine is bound to (the release a device should move to now).
export { OS_ROLLOUTS, type OsRollouts, type OsUpdateTarget } from './os-updates/os-rollouts.js';
// What the server binds app-store's APP_FLEET port to: the fleet, its app installs and their outcomes.
export { AppFleetService } from './app-fleet/app-fleet.service.js';
export { APP_FLEET_PAGE } from './app-fleet/app-fleet.js';
// The worker pool enrolment verifies attestation chains on (lab's bench measures it as the server runs it).
export {
  attestationWorkerPool,
  type AttestationTask,
  type AttestationTaskResult,
} from './enrolment/attestation-verifier.js';
export {
  DEVICE_CERTIFICATES,
  DEVICE_PUSH,
  PUSH_RELAY,
  type PushRelay,
  type DeviceCertificates,
  type DevicePush,
} from './devices/device-ports.js';
// Secure chat's e-Office bots: certificates of the device CA that name a bot of an institution, not a handset.
export { BOT_CERTIFICATES, botOfCertificate, type BotCertificates } from './device-ca/bot-certificates.js';
export { DeviceCaError, MAX_CSR_BYTES } from './device-ca/csr.js';
export { DEVICE_MGMT_ERROR_STATUS, type DeviceMgmtErrorCode } from './device-mgmt.errors.js';
// Check-in, policies, compliance and commands: what the CLI, lab and other domains may name.
export {
  PolicySettingsSchema,
  DEFAULT_POLICY_SETTINGS,
  type PolicySettings,
} from './policies/policy-settings.js';
export { COMPLIANCE_REASONS, type ComplianceReason, type ComplianceState } from './compliance/compliance.js';
export { COMMAND_TYPES, type CommandType } from './commands/command-types.js';
// Push without FCM: the MQTT wire contract a handset (lab) speaks (its reconnect: @pakawaaz/mqtt-reconnect).
export { DevicePushService } from './push/device-push.service.js';
export { PUSH_TOPIC_FILTER, pushTopic, isCheckInPush } from './push/push-topic.js';
