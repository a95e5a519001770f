// Public face of the device-mgmt domain: the only module other packages may import.
export { deviceMgmtDomain } from './device-mgmt.domain.js';
export { DeviceMgmtModule } from './device-mgmt.module.js';
export { DeviceLost, DeviceNonCompliant } from './device-mgmt.events.js';
