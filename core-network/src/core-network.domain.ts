import { fileURLToPath } from 'node:url';
import type { DomainDescriptor } from '@pakawaaz/platform';
import { AlarmCleared, AlarmRaised } from './network-health/alarms.events.js';
import { DriftDetected } from './open5gs/subscribers/open5gs.events.js';
import {
  DEVICE_BARRING_CONSUMER,
  OFFICIAL_FACTS_CONSUMER,
  SubscriberBarred,
} from './subscribers/subscribers.events.js';

export const coreNetworkDomain: DomainDescriptor = {
  name: 'core-network',
  pgSchema: 'core_network',
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  status: 'planned',
  events: {
    publishes: [SubscriberBarred, DriftDetected, AlarmRaised, AlarmCleared],
    consumes: [DEVICE_BARRING_CONSUMER, OFFICIAL_FACTS_CONSUMER],
  },
};
