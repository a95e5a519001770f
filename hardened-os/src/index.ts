// Public face of the hardened-os domain: the only module other packages may import.
export { hardenedOsDomain } from './hardened-os.domain.js';
export { HardenedOsModule } from './hardened-os.module.js';
