// Public face of @pakawaaz/eap-aka: the only module other packages may import.
export {
  EAP_MAX_PACKET_BYTES,
  EapCodecError,
  decodeEap,
  encodeEap,
  attributeBytes,
  hasAttribute,
  attributeCodes,
  resAttribute,
  decodeAttributeList,
  encodeAttributeList,
  type EapCodecErrorCode,
  type EapCode,
  type EapAkaMethod,
  type AkaSubtype,
  type AkaBytesAttributeType,
  type AkaFlagAttributeType,
  type AkaCodeAttributeType,
  type AkaAttribute,
  type EapBody,
  type EapPacket,
  type EncodedEap,
  type DecodedEap,
} from './eap-aka-codec.js';
export { parseAkaIdentity, type AkaIdentity } from './eap-aka-identity.js';
export {
  deriveAkaKeys,
  deriveAkaPrimeKeys,
  deriveCkIkPrime,
  computeAtMac,
  verifyAtMac,
  signPacket,
  computeCheckcode,
  deriveAkaReauthKeys,
  deriveAkaPrimeReauthKeys,
  type EapAkaKeys,
  type EapAkaPrimeKeys,
  type ReauthKeys,
} from './eap-aka-keys.js';
export { encryptAttributes, decryptAttributes } from './eap-aka-encr.js';
export { type ReauthSecrets } from './eap-aka-reauth.js';
export { startEapAka, supplyVector, receiveEapAka, failEapAka } from './eap-aka-server.js';
export { supplyIdentity } from './eap-aka-server-privacy.js';
export {
  EAP_AKA_DECOY_RANDOM_BYTES,
  EAP_AKA_RANDOM_BYTES,
  type PresentedIdentity,
  type IssuedReauth,
  type EapAkaPrivacyOutcome,
  type KnownIdentity,
  type EapAkaServerConfig,
  type EapAkaServerState,
  type EapAkaFailureReason,
  type EapAkaEffect,
  type EapAkaStep,
} from './eap-aka-server-state.js';
