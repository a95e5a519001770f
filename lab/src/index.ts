// Public face of lab/: drivers that exercise Pakawaaz over its real protocols (HTTP, RADIUS, EAP-AKA).
export { waitForHealthy } from './http-probe.js';
export {
  authenticate,
  createUsim,
  highestSqn,
  withAcceptedSqn,
  type Usim,
  type UsimConfig,
  type UsimResult,
  type UsimStep,
} from './sim-peer/usim.js';
export {
  createEapAkaPeer,
  receiveAsPeer,
  eapIdentityRequest,
  permanentIdentity,
  defaultRealm,
  type EapAkaPeerConfig,
  type EapAkaPeerState,
  type EapAkaPeerEffect,
  type EapAkaPeerStep,
  type PeerNote,
  type PeerResponse,
} from './sim-peer/eap-aka-peer.js';
export {
  createNas,
  NasTimeoutError,
  replyVerifies,
  type Nas,
  type NasAttribute,
  type NasOptions,
  type NasReply,
  type NasStats,
} from './radius-nas/radius-nas.js';
export type { EapAkaOverRadius, MppeKeys } from './radius-nas/nas-eap.js';
export { startEchoResponder, signedReply, type EchoResponder } from './radius-nas/echo-responder.js';
export {
  simFactor,
  type SimFactorOptions,
  type SimFactorResult,
  type SimLoginStep,
} from './http-sim/http-sim-factor.js';
export {
  startServerProcess,
  withServerOutput,
  freeTcpPort,
  freeUdpPort,
  SERVER_MAIN,
  type ServerProcess,
  type ServerProcessOptions,
} from './server-process/server-process.js';
export {
  ApiError,
  controlPlaneApi,
  passwordLogin,
  signedIn,
  unwrap,
  type ControlPlaneApi,
  type LoginStep,
} from './server-process/control-plane-api.js';
export {
  provisionFleet,
  ensureNetworkSpec,
  importSims,
  labSims,
  simCsv,
  type LabSim,
  type SimFleet,
  type FleetInput,
} from './server-process/sim-fleet.js';
export { withThrowawayDatabase } from './server-process/throwaway-database.js';
export {
  createLabAttestationRoot,
  healthyLabAttestation,
  labAttestationChain,
  labKeyDescription,
  LAB_AGENT,
  LAB_BOOT_KEY,
  type LabAttestation,
  type LabAttestationRoot,
} from '@pakawaaz/handset-simulator';
export { startPushClient, type PushClient, type PushClientOptions } from '@pakawaaz/handset-simulator';
export * from './chat/index.js';
export * from './calls/index.js';
