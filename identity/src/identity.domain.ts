import { fileURLToPath } from 'node:url';
import type { DomainDescriptor } from '@pakawaaz/platform';
import {
  INSTITUTION_SCOPES_CONSUMER,
  InstitutionChanged,
  InstitutionPhaseChanged,
} from './directory/institutions.events.js';
import {
  RADIUS_CLIENTS_CONSUMER,
  RadiusClientChanged,
  RETIRED_RADIUS_CLIENTS_CONSUMERS,
} from './radius/radius.events.js';
import {
  RETIRED_SESSION_CACHE_CONSUMERS,
  SESSION_CACHE_CONSUMER,
  SessionBound,
  SessionRevoked,
} from './sessions/sessions.events.js';
import { ApiTokenRevoked, TOKEN_MEMORY_CONSUMER } from './tokens/tokens.events.js';
import { UserDisabled, UserEnabled, UserPasswordClosed, UserUpdated } from './users/users.events.js';

// What identity brings to the kernel's registries (type level; the metadata is in `auth` below).
// `interface`: only interfaces merge across modules, which is how a domain extends the kernel's unions.
declare module '@pakawaaz/platform' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface RoleRegistry {
    billing: 'institution';
  }
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface CapabilityRegistry {
    'sim-sign-in': true;
  }
}

export const identityDomain = {
  name: 'identity',
  pgSchema: 'identity',
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  status: 'active',
  events: {
    publishes: [
      UserUpdated,
      UserDisabled,
      UserEnabled,
      SessionRevoked,
      SessionBound,
      UserPasswordClosed,
      RadiusClientChanged,
      InstitutionChanged,
      InstitutionPhaseChanged,
      ApiTokenRevoked,
    ],
    consumes: [
      SESSION_CACHE_CONSUMER,
      RADIUS_CLIENTS_CONSUMER,
      INSTITUTION_SCOPES_CONSUMER,
      TOKEN_MEMORY_CONSUMER,
    ],
    retiredConsumers: [RETIRED_SESSION_CACHE_CONSUMERS, RETIRED_RADIUS_CLIENTS_CONSUMERS],
  },
  auth: {
    roles: {
      // Usage records (RADIUS accounting) live in identity until metering has its own domain.
      billing: { description: 'usage and fees', scope: 'institution' },
    },
    capabilities: {
      // The pilot proves the network and the SIM: it signs in with the SIM from the start.
      'sim-sign-in': {
        description: 'sign in with the SIM (EAP-AKA over RADIUS and HTTPS)',
        firstPhase: 'pilot',
      },
    },
  },
} as const satisfies DomainDescriptor;
