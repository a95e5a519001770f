// Public face of @pakawaaz/test-support: fixtures shared by the packages' tests (never by their src).
export { createTestDatabase, lockWaitOr, testLogger, withDatabase, type TestDatabase } from './database.js';
export {
  requireServices,
  testDatabaseUrl,
  testNatsUrl,
  testMqttUrl,
  reachable,
  serviceGate,
} from './services.js';
export { createTestCa, issueTestDevice, type TestCa, type TestDevice } from './device-test-ca.js';
export { fakeSim, simCsv, luhnCheckDigit, type FakeSim } from './sims.js';
export { TcpProxy } from './tcp-proxy.js';
export { compositionOf } from './composition.js';
export {
  createPemCa,
  issueServerPem,
  issueDevicePem,
  type PemCa,
  type PemIdentity,
} from './mqtt-test-pki.js';
export { freeTcpPort } from './ports.js';
export { gate, until, type Gate } from './gate.js';
export { allocates, coturnAvailable, startCoturn, type Coturn } from './coturn.js';
export { APKSIG_OTHER, APKSIG_RSA1, cleanApkInspection } from './apk-inspection.js';
export { refusal } from './refusal.js';
export { IDLE_OPEN5GS_KPIS } from './open5gs.js';
export { operatorPrincipal } from './principals.js';
