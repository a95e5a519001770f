import {
  issueNetworkCertificates,
  NETWORK_CA_KEY,
  networkCaKeyFile,
  openNetworkCa,
  writeTlsFiles,
  type NetworkSpec,
} from '@pakawaaz/core-network';
import {
  AUDIT_CHECKPOINT_KEY,
  openKeyService,
  AuditService,
  openKeyBackend,
  createLogger,
  loadPlatformConfig,
  migrateDomains,
  migrationStatus,
  openDatabase,
  type DatabaseHandle,
  type Env,
} from '@pakawaaz/platform';
import { ALL_DOMAINS, DOMAINS } from '../domains.js';

/**
 * Commands that work on the database itself rather than through the API: migrations (run before a server
 * exists) and an auditor's independent check of the audit chain. With the embedded database, the server
 * must be stopped first: PGlite is single-process, and its data folder is locked while a server runs.
 */
async function withDatabase<T>(env: Env, fn: (db: DatabaseHandle) => Promise<T>): Promise<T> {
  const config = loadPlatformConfig(env, process.cwd(), DOMAINS);
  // On standard error: standard output is the command's result (`--json` is parsed by scripts).
  const logger = createLogger({ level: 'warn' }, process.stderr);
  const db = await openDatabase({ url: config.DATABASE_URL, dataDir: config.dataDir, logger });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export function runMigrations(env: Env): Promise<string> {
  return withDatabase(env, async (db) => {
    await migrateDomains(db, ALL_DOMAINS, createLogger({ level: 'info' }));
    const status = await migrationStatus(db, ALL_DOMAINS);
    return [
      `database: ${db.location}`,
      ...status.map((s) => `  ${s.domain.padEnd(14)} ${s.applied}/${s.available} migrations applied`),
    ].join('\n');
  });
}

/**
 * The checkpoints are checked with the public half of the audit checkpoint key, read from the key backend
 * (never created here: a missing key is reported, not replaced).
 */
export async function auditVerifyOffline(env: Env) {
  const config = loadPlatformConfig(env, process.cwd(), DOMAINS);
  const backend = await openKeyBackend(config);
  let checkpointKey;
  try {
    checkpointKey =
      (await backend.signer({ name: AUDIT_CHECKPOINT_KEY, file: config.auditCheckpointKeyFile }, 'EdDSA'))
        ?.publicJwk ?? null;
  } finally {
    await backend.close();
  }
  const checkpointIntervalSeconds = config.PAKAWAAZ_AUDIT_CHECKPOINT_SECONDS;
  return withDatabase(env, (db) =>
    new AuditService(db).verification({ checkpointKey, checkpointIntervalSeconds }),
  );
}

/**
 * `pakawaaz open5gs certs`: the network CA's key from the configured key backend (created on first use, like
 * the server's keys; it must be backed up with them), certificates for the spec's TLS NFs into `out`. No
 * database: the CA certificate is a function of the key.
 */
export async function issueNetworkCertificatesOffline(
  env: Env,
  spec: NetworkSpec,
  out: string,
  days: number,
) {
  const config = loadPlatformConfig(env, process.cwd(), DOMAINS);
  const keyFile = networkCaKeyFile(env, config);
  const keys = await openKeyService(config, createLogger({ level: 'warn' }));
  try {
    const ref = { name: NETWORK_CA_KEY, file: keyFile };
    const created = !(await keys.backend.signer(ref, 'ES256'));
    const ca = await openNetworkCa(keys, keyFile);
    const files = await issueNetworkCertificates(ca, spec, { now: new Date(), validityDays: days });
    const written = await writeTlsFiles(out, files);
    return {
      caSubject: ca.certificate.subject,
      caKey: keys.backend.where(ref),
      /** A new CA key: the first run, or a run with another data folder or key backend than the server's. */
      caCreated: created,
      caCertificate: ca.certificate.toString('pem'),
      files: written,
    };
  } finally {
    await keys.close();
  }
}
