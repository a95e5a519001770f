// Public face of the core-network domain: the only module other packages may import.
export { coreNetworkDomain } from './core-network.domain.js';
export { CoreNetworkModule } from './core-network.module.js';
export { loadCoreNetworkConfig, networkCaKeyFile, type CoreNetworkConfig } from './core-network.config.js';
export { AKA_VECTOR_SOURCE, type AkaVector, type AkaVectorSource } from './milenage/aka-vector.port.js';
export { SIM_OWNERSHIP, type SimOwner, type SimOwnership } from './subscribers/sim-ownership.port.js';
export {
  OFFICIAL_DIRECTORY_BINDING,
  type OfficialDirectory,
  type OfficialDirectoryBinding,
  type OfficialRecord,
} from './subscribers/official-directory.port.js';
export { SubscriberProfile, DEFAULT_PROFILE, DEFAULT_PROFILE_NAME } from './subscribers/profile.js';
export {
  parseSimCsv,
  luhnValid,
  SimCsvError,
  type SimRow,
  type RowProblem,
} from './sim-inventory/sim-csv.js';
export { milenageCommand, MilenageArgumentError } from './milenage/milenage-command.js';
export {
  buildSubscriberDocument,
  buildSubscriberDocuments,
  type SubscriberDocumentInput,
  type Open5gsSubscriberDocument,
} from './open5gs/subscribers/subscriber-document.js';
export {
  parseNetworkSpec,
  validateNetworkSpec,
  specSha256,
  formatIssue,
  formatPath,
  MAX_NETWORK_SPEC_BYTES,
  NetworkSpecSchema,
  DEFAULT_EXPECTED_UE_COUNT,
  STANDARD_PORTS,
  type NetworkSpec,
  type NetworkSpecInput,
  type NetworkSpecResult,
  type SpecIssue,
} from './network-spec/network-spec.js';
export {
  DIAMETER_NFS,
  SBI_NFS,
  certificateNames,
  diameterIdentity,
  diameterRealm,
  nfsNeedingCertificates,
  sbiDomain,
  sbiFqdn,
  type DiameterNf,
  type SbiNf,
} from './network-spec/node-names.js';
export { DEMO_NETWORK_YAML } from './network-spec/demo-network.js';
export { weakSecurity } from './network-spec/network-spec.checks.js';
export {
  previewNetworkSpec,
  unifiedDiff as unifiedTextDiff,
  type SpecPreview,
  type FileChange,
} from './network-spec/spec-preview.js';
export {
  NetworkSpecService,
  type NetworkSpecView,
  type AppliedNetworkSpec,
  type Open5gsConfigView,
  type DemoSpecResult,
  type ApplyConditions,
} from './network-spec/network-spec.service.js';
export {
  renderOpen5gsConfigs,
  renderFreeDiameterConfigs,
  FREE_DIAMETER_CONFIG_FILES,
  OPEN5GS_CONFIG_FILES,
  DEFAULT_RENDER_OPTIONS,
  maxUeFor,
  OPEN5GS_DEFAULT_MAX_UE,
  type RenderOptions,
} from './open5gs/config/render.js';
export { renderUpfHostFiles, type UpfHostFiles } from './open5gs/config/render-upf-host.js';
export { renderAllOpen5gsFiles } from './open5gs/config/render-all.js';
export { upfsOf, sgwusOf, type UserPlaneNode } from './network-spec/user-plane.js';
export {
  openNetworkCa,
  issueNetworkCertificates,
  hostsLines,
  NETWORK_CA_KEY,
  DEFAULT_NF_CERT_DAYS,
  MAX_NF_CERT_DAYS,
  type NetworkCa,
  type TlsFile,
} from './open5gs/pki/network-ca.js';
export { writeTlsFiles } from './open5gs/pki/write-tls-files.js';
export {
  checkTlsFolder,
  type TlsCertificateReport,
  type TlsCertificateStatus,
  type TlsFolderFile,
  type TlsFolderReport,
} from './open5gs/pki/check-tls-files.js';
export {
  estimateOpen5gsMemory,
  memoryEstimateLine,
  MEASURED_NFS as MONGODB_FREE_NFS,
  type MemoryEstimate,
} from './open5gs/config/memory-estimate.js';
export {
  writeConfigs,
  checkConfigs,
  sameConfig,
  type ConfigCheck,
  type ConfigFileStatus,
  type WriteConfigsResult,
} from './open5gs/config/write-configs.js';
export {
  parsePrometheusText,
  PrometheusParseError,
  type PromExposition,
  type PromSample,
} from './network-health/prometheus-text.js';
export {
  computeKpis,
  NF_TYPES,
  KPI_NAMES,
  OPEN5GS_METRICS,
  type NfType,
  type KpiName,
  type Kpis,
  type MetricsSnapshot,
} from './network-health/open5gs-metrics.js';
export {
  ALARM_KINDS,
  DEFAULT_ALARM_RULES,
  evaluateAlarmRules,
  type AlarmKind,
  type AlarmSeverity,
} from './network-health/alarm-rules.js';
export {
  parseScrapeTargets,
  ScrapeTargetSchema,
  type ScrapeTarget,
} from './network-health/scrape-targets.js';
export { targetsFromSpec } from './network-health/spec-targets.js';
export { scrapeNf, type ScrapeResult, type ScrapeOptions } from './network-health/nf-scraper.js';
export { type NfStateSummary } from './network-health/open5gs-state.js';
export { NetworkHealthService } from './network-health/network-health.service.js';
export type { NetworkHealthView, NfHealthView } from './network-health/nf-runtime.js';
export { SubscriberBarred } from './subscribers/subscribers.events.js';
export { DriftDetected } from './open5gs/subscribers/open5gs.events.js';
export { AlarmRaised, AlarmCleared } from './network-health/alarms.events.js';
export {
  ALARM_RAISED_EVENT,
  ALARM_CLEARED_EVENT,
  type AlarmRaisedEvent,
  type AlarmClearedEvent,
} from './network-health/alarms.service.js';
export { CORE_NETWORK_ERROR_STATUS, type CoreNetworkErrorCode } from './core-network.errors.js';
export { NETWORK_SPEC_ERROR_STATUS } from './network-spec/network-spec.errors.js';
export { NETWORK_HEALTH_ERROR_STATUS } from './network-health/network-health.errors.js';
