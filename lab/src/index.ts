// Public face of lab/: drivers that exercise Pakawaaz over its real protocols (simulators arrive with their domains).
export { waitForHealthy } from './http-probe.js';
export {
  startNfSimulator,
  type NfSimulator,
  type NfSimulatorOptions,
  type SimulatedTarget,
} from './open5gs-sim/nf-simulator.js';
export { SimWorld, DEFAULT_SIM_WORLD, type SimWorldConfig } from './open5gs-sim/sim-world.js';
