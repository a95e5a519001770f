import { fileURLToPath } from 'node:url';
import type { DomainDescriptor } from '@pakawaaz/platform';
import { AlarmCleared, AlarmRaised } from './network-health/alarms.events.js';
import { DriftDetected } from './open5gs/subscribers/open5gs.events.js';
import {
  DEVICE_BARRING_CONSUMER,
  OFFICIAL_FACTS_CONSUMER,
  SubscriberBarred,
} from './subscribers/subscribers.events.js';

// The roles core-network brings (type level; the metadata is in `auth` below). `interface`: only interfaces
// merge across modules, which is how a domain extends the kernel's Role union.
declare module '@pakawaaz/platform' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface RoleRegistry {
    'sim-operator': 'national';
    'network-admin': 'national';
  }
}

export const coreNetworkDomain = {
  name: 'core-network',
  pgSchema: 'core_network',
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  status: 'active',
  events: {
    publishes: [SubscriberBarred, DriftDetected, AlarmRaised, AlarmCleared],
    consumes: [DEVICE_BARRING_CONSUMER, OFFICIAL_FACTS_CONSUMER],
  },
  auth: {
    roles: {
      'sim-operator': { description: 'SIM inventory and subscribers', scope: 'national' },
      'network-admin': {
        description: 'network spec, Open5GS sync, alarms and RADIUS clients',
        scope: 'national',
      },
    },
  },
} as const satisfies DomainDescriptor;
