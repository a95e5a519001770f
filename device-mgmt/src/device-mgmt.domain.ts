import { fileURLToPath } from 'node:url';
import type { DomainDescriptor } from '@pakawaaz/platform';
import {
  BOOT_KEY_COMPROMISED_CONSUMER,
  DeviceCertificatesRevoked,
  DeviceLost,
  DeviceNonCompliant,
  DeviceOsUpdate,
  MQTT_REVOCATION_CONSUMER,
} from './device-mgmt.events.js';

// Type-level role registration (`interface`: only interfaces merge across modules).
declare module '@pakawaaz/platform' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface RoleRegistry {
    'device-admin': 'institution';
  }
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface CapabilityRegistry {
    'device-enrolment': true;
  }
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface ActorKindRegistry {
    device: true;
  }
}

export const deviceMgmtDomain = {
  name: 'device-mgmt',
  pgSchema: 'device_mgmt',
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  status: 'active',
  events: {
    publishes: [DeviceLost, DeviceNonCompliant, DeviceCertificatesRevoked, DeviceOsUpdate],
    consumes: [MQTT_REVOCATION_CONSUMER, BOOT_KEY_COMPROMISED_CONSUMER],
  },
  auth: {
    roles: {
      'device-admin': { description: 'handsets, policies and device commands', scope: 'institution' },
    },
    actorKinds: { device: 'a handset, authenticated by its device certificate (acknowledging a command)' },
    capabilities: {
      'device-enrolment': {
        description: 'enrol a hardened handset (key attestation, device certificate)',
        firstPhase: 'pilot',
      },
    },
  },
} as const satisfies DomainDescriptor;
