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
export { obey, type Acknowledgement, type DeviceCommand, type HandsetState } from './obey.js';
export { HandsetHttpError } from './http-error.js';
export { LabHandset, signWithDeviceKey, type EnrolledHandset, type EnrolmentAttempt } from './lab-handset.js';
export {
  randomImei,
  SimulatedHandset,
  type CheckInReply,
  type Enrolment,
  type HandsetOptions,
  type SavedHandset,
} from './handset.js';
export { progressLine, runFleet, type FleetOptions, type FleetProgress } from './fleet.js';
export { LatencyWindow } from './latency.js';
