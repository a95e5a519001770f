import { fileURLToPath } from 'node:url';
import type { DomainDescriptor } from '@pakawaaz/platform';
import {
  RADIUS_CLIENTS_CONSUMER,
  RadiusClientChanged,
  RETIRED_RADIUS_CLIENTS_CONSUMERS,
} from './radius/radius.events.js';
import {
  RETIRED_SESSION_CACHE_CONSUMERS,
  SESSION_CACHE_CONSUMER,
  SessionRevoked,
} from './sessions/sessions.events.js';
import { UserDisabled, UserEnabled, UserUpdated } from './users/users.events.js';

export const identityDomain: DomainDescriptor = {
  name: 'identity',
  pgSchema: 'identity',
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  status: 'active',
  events: {
    publishes: [UserUpdated, UserDisabled, UserEnabled, SessionRevoked, RadiusClientChanged],
    consumes: [SESSION_CACHE_CONSUMER, RADIUS_CLIENTS_CONSUMER],
    retiredConsumers: [RETIRED_SESSION_CACHE_CONSUMERS, RETIRED_RADIUS_CLIENTS_CONSUMERS],
  },
};
