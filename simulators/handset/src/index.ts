// Public face of the handset simulator: lab attestation, simulated handsets and the fleet runner.
export {
  createLabAttestationRoot,
  forgedLabAttestationChain,
  healthyLabAttestation,
  labAttestationChain,
  labKeyDescription,
  LAB_AGENT,
  LAB_BOOT_KEY,
  type LabAttestation,
  type LabAttestationRoot,
} from './lab-attestation.js';
export { labRootPaths, loadOrCreateLabRoot } from './lab-root.js';
export { mtlsFetch, type ClientTls, type MtlsFetch } from './mtls-fetch.js';
export {
  failsUpdate,
  obey,
  reportApps,
  UPDATE_VERIFICATION_FAILED,
  type Acknowledgement,
  type DeviceCommand,
  type HandsetFaults,
  type HandsetState,
} from './obey.js';
export { HandsetHttpError } from './http-error.js';
export {
  fetchVerifiedUpdate,
  hasTrustedRoot,
  provisionTrustedRoot,
  trustedRootVersion,
  tufDetail,
  type OtaClientOptions,
  type VerifiedUpdate,
} from './ota-client.js';
export { compareVersions, refusal, type OtaTargetCustom, type RunningOs } from './ota-rules.js';
export { LabHandset, signWithDeviceKey, type EnrolledHandset, type EnrolmentAttempt } from './lab-handset.js';
export {
  randomImei,
  SimulatedHandset,
  type CheckInReply,
  type Enrolment,
  type HandsetOptions,
  type SavedHandset,
} from './handset.js';
export { startPushClient, type PushClient, type PushClientOptions } from './push-client.js';
export { isCheckInPush, pushTopic } from './push-wire.js';
export {
  attestationDue,
  DEFAULT_MAX_ATTESTATION_AGE_HOURS,
  RENEW_AFTER_FRACTION,
  renewalDue,
} from './key-upkeep.js';
export { progressLine, runFleet, type FleetOptions, type FleetProgress } from './fleet.js';
export { LatencyWindow } from './latency.js';
export { runDemoFleet, type DemoFleetOptions } from './demo-fleet.js';
export { demoFleetNeedsToken, type DemoStorePins } from './demo-fleet-state.js';
export { DEMO_HANDSETS, DEMO_HEALTH_INSTITUTION, DEMO_OFFICIALS, type DemoHandsetPlan } from './demo-plan.js';
export {
  CatalogueClient,
  CatalogueRefused,
  CATALOGUE_ROUTE,
  type CatalogueRefresh,
  type CatalogueVerifier,
  type DeviceFetch,
} from './catalogue-client.js';
export {
  APK_ROUTE,
  installParams,
  verifyAppInstall,
  type ApkFacts,
  type ApkInspect,
  type AppInstallerOptions,
  type InstalledApp,
  type StoreIndex,
  type StoreVersion,
  type VerifiedApp,
} from './app-installer.js';
export {
  buildDemoEofficeApk,
  demoApkSignerPaths,
  loadOrCreateDemoApkSigner,
  DEMO_EOFFICE,
} from './demo-apps.js';
