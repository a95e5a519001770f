// Public face of lab/: drivers that exercise Pakawaaz over its real protocols (simulators arrive with their domains).
export { waitForHealthy } from './http-probe.js';
