import { fileURLToPath } from 'node:url';
import type { DomainDescriptor } from '@pakawaaz/platform';
import {
  BootKeyCompromised,
  OS_UPDATE_OUTCOMES_CONSUMER,
  OsUpdateMetadataStale,
  RolloutHalted,
} from './hardened-os.events.js';

// The role hardened-os brings (type level; the metadata is in `auth` below). `interface`: only interfaces
// merge across modules, which is how a domain extends the kernel's Role union.
declare module '@pakawaaz/platform' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface RoleRegistry {
    'os-admin': 'national';
  }
}

export const hardenedOsDomain = {
  name: 'hardened-os',
  pgSchema: 'hardened_os',
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  status: 'active',
  events: {
    publishes: [BootKeyCompromised, OsUpdateMetadataStale, RolloutHalted],
    consumes: [OS_UPDATE_OUTCOMES_CONSUMER],
  },
  auth: {
    roles: {
      'os-admin': {
        description: 'device models, verified-boot keys, OS releases, OTA payloads and rollouts',
        scope: 'national',
      },
    },
  },
} as const satisfies DomainDescriptor;
