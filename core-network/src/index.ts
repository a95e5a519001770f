// Public face of the core-network domain: the only module other packages may import.
export { coreNetworkDomain } from './core-network.domain.js';
export { CoreNetworkModule } from './core-network.module.js';
export { loadCoreNetworkConfig, type CoreNetworkConfig } from './core-network.config.js';
export { AKA_VECTOR_SOURCE, type AkaVector, type AkaVectorSource } from './milenage/aka-vector.port.js';
export { SubscriberProfile, DEFAULT_PROFILE, DEFAULT_PROFILE_NAME } from './subscribers/profile.js';
export {
  parseSimCsv,
  luhnValid,
  SimCsvError,
  type SimRow,
  type RowProblem,
} from './sim-inventory/sim-csv.js';
