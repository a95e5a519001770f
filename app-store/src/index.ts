// Public face of the app-store domain: the only module other packages may import.
export { appStoreDomain } from './app-store.domain.js';
export { AppStoreModule } from './app-store.module.js';
export { APP_STORE_ERROR_STATUS, type AppStoreErrorCode } from './app-store.errors.js';
export { APP_STORE_CONFIG, loadAppStoreConfig, type AppStoreConfig } from './app-store.config.js';
// The port the server binds to a worker running @pakawaaz/apk's inspectApk.
export { APK_INSPECTOR, type ApkInspector } from './publishing/apk-inspector.js';
export { WorkerApkInspector, INSPECT_MIN_SDK } from './publishing/apk-inspector.pool.js';
// The upload route (the server lets the APK media type through there only).
export { STORE_APK_ROUTE } from './publishing/publishing.controller.js';
export { APK_MEDIA_TYPE } from './publishing/publishing.service.js';
export type { StorePolicy, PolicyFinding, Track } from './publishing/publishing-rules.js';
// The APK transparency log: what the catalogue calls (StoreLog) and the service behind it.
export {
  TransparencyLogService,
  DbNodeStore,
  STORE_LOG_SIGNER,
  type StoreLog,
  type StoreLogInclusion,
  type LogEntryInput,
} from './transparency/transparency-log.service.js';
export { useStoreLogSigner, STORE_LOG_KEY } from './transparency/log-signer.js';
// The port the server binds to the APK transparency log; the catalogue service and its routes' helpers.
export { APK_LOG, type ApkLog, type ApkLogInclusion } from './catalogues/apk-log.js';
export { MemoryApkLog } from './catalogues/memory-apk-log.js';
export {
  CataloguesService,
  CATALOGUE_SIGNER,
  CATALOGUE_KEY,
  CATALOGUES_KEPT,
  type PublishedCatalogue,
} from './catalogues/catalogues.service.js';
// The embedded demo's mandatory app, seeded at start-up by the composition root (demo data only).
export {
  DemoAppsService,
  DEMO_DEVELOPER_ORG,
  DEMO_SEED_DEVELOPER,
  DEMO_SEED_REVIEWERS,
  DEMO_SEED_REQUEST,
  type DemoAppInput,
  type DemoAppResult,
} from './demo/demo-apps.service.js';
// The rollout engine: the composition root nudges it when the demo fleet has enrolled its handsets (and a
// test may run a reconciliation now rather than wait for its tick).
export { AppRolloutEngine } from './rollouts/app-rollout-engine.service.js';
// The port the server binds to device-mgmt's AppFleetService: the handsets apps are installed on.
export {
  APP_FLEET,
  FLEET_PAGE,
  type AppFleet,
  type FleetApp,
  type FleetCommand,
  type FleetCommandOutcome,
  type FleetCommandState,
  type FleetDevice,
  type InstallAppParams,
} from './rollouts/app-fleet.js';
