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
// Pure cores lab/ may use to play the handset's side (DESIGN §2).
export {
  computeOpc,
  createMilenage,
  f1,
  f2345,
  type Milenage,
  type MilenageOutput,
} from './milenage/milenage.js';
export {
  generateVector,
  verifyAuts,
  verifyAutn,
  nextSqn,
  sqnFromSeqInd,
  seqIndFromSqn,
  seqAfterResync,
  freshUsimState,
  PAKAWAAZ_IND,
  IND_BITS,
  type UsimSqnState,
} from './milenage/aka.js';
export { milenageCommand, MilenageArgumentError } from './milenage/milenage-command.js';
export {
  buildSubscriberDocument,
  buildSubscriberDocuments,
  type SubscriberDocumentInput,
  type Open5gsSubscriberDocument,
} from './open5gs/subscribers/subscriber-document.js';
