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
