// Public face of the core-network domain: the only module other packages may import.
export { coreNetworkDomain } from './core-network.domain.js';
export { CoreNetworkModule } from './core-network.module.js';
