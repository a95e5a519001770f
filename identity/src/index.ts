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
export { AuthEventsService } from './auth-events/auth-events.service.js';
export { DEVICE_TRUST, type DeviceTrust } from './device-auth/device-trust.port.js';
export { OFFICIAL_DIRECTORY } from './users/official-directory.service.js';
export { OFFICIAL_VISIBILITY, type OfficialVisibility } from './directory/official-visibility.service.js';
export {
  UserUpdated,
  UserDisabled,
  UserEnabled,
  UserPasswordClosed,
  type UserStatusEvent,
  type UserUpdatedEvent,
} from './users/users.events.js';
export { ApiTokenRevoked } from './tokens/tokens.events.js';
export { SessionBound, SessionRevoked, type SessionRevokedEvent } from './sessions/sessions.events.js';
export { RadiusClientChanged } from './radius/radius.events.js';
export {
  issueAccessToken,
  verifyAccessToken,
  type AccessTokenClaims,
  type VerifiedAccessToken,
} from './tokens/access-token.js';
export { accessTokenChecker, type AccessTokenCheck } from './tokens/access-token-check.js';
export { IDENTITY_ERROR_STATUS, type IdentityErrorCode } from './identity.errors.js';
