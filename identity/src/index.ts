// Public face of the identity domain: the only module other packages may import.
export { identityDomain } from './identity.domain.js';
export { IdentityModule } from './identity.module.js';
export { loadIdentityConfig, type IdentityConfig } from './identity.config.js';
export {
  FirstStartService,
  FIRST_ADMIN_USERNAME,
  DEMO_INSTITUTION,
  type FirstStartResult,
} from './bootstrap/first-start.service.js';
export { TokenService } from './tokens/token.service.js';
export { API_TOKEN_PREFIX } from './tokens/api-token-secret.js';
export { RadiusListener } from './radius/radius.listener.js';
export { DEVICE_TRUST, type DeviceTrust } from './device-auth/device-trust.port.js';
export {
  USER_DISABLED_EVENT,
  USER_ENABLED_EVENT,
  USER_UPDATED_EVENT,
  type UserStatusEvent,
  type UserUpdatedEvent,
} from './users/user-changes.js';
export { USER_PASSWORD_CLOSED_EVENT, type UserPasswordClosedEvent } from './auth/login-failures.service.js';
export { API_TOKEN_REVOKED_EVENT, type ApiTokenRevokedEvent } from './tokens/token.service.js';
export { SESSION_REVOKED_EVENT, type SessionRevokedEvent } from './sessions/sessions.service.js';
// Pure protocol cores lab/ may use to play the handset's and the NAS's side (DESIGN §2).
export {
  decodeEap,
  encodeEap,
  EapCodecError,
  type EapAkaMethod,
  type EapPacket,
  type AkaAttribute,
  type DecodedEap,
} from './sim-auth/eap-aka-codec.js';
export {
  deriveAkaKeys,
  deriveAkaPrimeKeys,
  deriveCkIkPrime,
  signPacket,
  verifyAtMac,
  computeCheckcode,
  type EapAkaKeys,
} from './sim-auth/eap-aka-keys.js';
export { decodeRadius, type RadiusPacket } from './radius/radius-packet.js';
export { encodeRequest, type EncodeRequestInput } from './radius/radius-encode.js';
export {
  attributeBytes,
  attributeText,
  attributeValues,
  eapMessage,
  vendorAttributes,
} from './radius/radius-attributes.js';
export {
  decryptMppeKey,
  mppeKeysFromMsk,
  MICROSOFT_VENDOR_ID,
  MPPE_VENDOR_TYPES,
} from './radius/radius-mppe.js';
export { computeMessageAuthenticator, computeResponseAuthenticator } from './radius/radius-crypto.js';
export { totpCodeAtStep, totpStepAt } from './mfa/totp.js';
export { createTestCa, issueTestDevice, type TestCa, type TestDevice } from './device-auth/device-test-ca.js';
export {
  issueAccessToken,
  verifyAccessToken,
  type AccessTokenClaims,
  type VerifiedAccessToken,
} from './tokens/access-token.js';
export { accessTokenChecker, type AccessTokenCheck } from './tokens/access-token-check.js';
