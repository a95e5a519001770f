// Public face of the hardened-os domain: the only module other packages may import.
export { hardenedOsDomain } from './hardened-os.domain.js';
export { HardenedOsModule } from './hardened-os.module.js';
export { HARDENED_OS_ERROR_STATUS, type HardenedOsErrorCode } from './hardened-os.errors.js';
export { BootKeyCompromised, RolloutHalted } from './hardened-os.events.js';
export { HARDENED_OS_CONFIG, loadHardenedOsConfig, type HardenedOsConfig } from './hardened-os.config.js';
// What device management reads (the server binds it to device-mgmt's HARDENED_OS_RELEASES port).
export {
  OsReleasesFacts,
  type OsRegistryFacts,
  type OsReleaseSummary,
} from './registry/os-releases.facts.js';
export type { BootKeyStatus, ReleaseChannel } from './registry/registry-rules.js';
// What device management's check-in asks (the server binds it to device-mgmt's OS_ROLLOUTS port).
export { OsRolloutsFacts, type OsRollouts, type OsUpdateTarget } from './rollouts/os-rollouts.facts.js';
export type { Ring, RolloutState } from './rollouts/rollout-rules.js';
// The upload route (the server lets application/octet-stream through there only).
export { OS_PAYLOAD_ROUTE } from './registry/registry.controller.js';
