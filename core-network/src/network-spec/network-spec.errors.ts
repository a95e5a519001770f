import { defineErrors, type HttpStatus } from '@pakawaaz/platform';

export type NetworkSpecErrorCode =
  | 'invalid_network_spec'
  | 'network_spec_not_found'
  | 'network_spec_too_large'
  | 'network_spec_changed'
  | 'weak_security_not_allowed'
  | 'spec_orphans_profiles'
  | 'spec_orphans_static_addresses';

export const NETWORK_SPEC_ERROR_STATUS = {
  // Well-formed JSON whose YAML spec breaks a rule: the details list every path at fault.
  invalid_network_spec: 422,
  network_spec_not_found: 404,
  network_spec_too_large: 413,
  // The running spec is no longer the version the change was previewed against (optimistic concurrency).
  network_spec_changed: 409,
  // Null ciphering or integrity first, without the explicit override.
  weak_security_not_allowed: 422,
  // The spec drops a slice, DNN or IPv6 pool a saved subscriber profile grants; details.profiles names them.
  spec_orphans_profiles: 409,
  // The spec moves or drops a DNN's staticRange that subscribers' static addresses are in; details name them.
  spec_orphans_static_addresses: 409,
} as const satisfies Record<NetworkSpecErrorCode, HttpStatus>;

export const networkSpecError = defineErrors(NETWORK_SPEC_ERROR_STATUS);
