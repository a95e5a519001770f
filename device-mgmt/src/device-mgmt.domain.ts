import { fileURLToPath } from 'node:url';
import type { DomainDescriptor } from '@pakawaaz/platform';
import { DeviceLost, DeviceNonCompliant } from './device-mgmt.events.js';

export const deviceMgmtDomain: DomainDescriptor = {
  name: 'device-mgmt',
  pgSchema: 'device_mgmt',
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  status: 'planned',
  events: { publishes: [DeviceLost, DeviceNonCompliant] },
};
