// Public face of @pakawaaz/open5gs-simulator: simulated Open5GS NFs for the embedded demo and tests.
export {
  startNfSimulator,
  type NfSimulator,
  type NfSimulatorOptions,
  type SimulatedTarget,
} from './nf-simulator.js';
export { SimWorld, DEFAULT_SIM_WORLD, type SimWorldConfig } from './sim-world.js';
