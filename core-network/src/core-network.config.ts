import path from 'node:path';
import { envUrl, parseConfig, type Env, type PlatformConfig } from '@pakawaaz/platform';
import { z } from 'zod';

const unset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const schema = z.object({
  PAKAWAAZ_KEK_FILE: z.preprocess(unset, z.string().optional()),
  PAKAWAAZ_NETWORK_CA_KEY_FILE: z.preprocess(unset, z.string().optional()),
  OPEN5GS_MONGODB_URL: envUrl(['mongodb', 'mongodb+srv']),
  OPEN5GS_SYNC_INTERVAL_SECONDS: z.preprocess(
    unset,
    z.coerce.number({ message: 'expected seconds' }).int().min(5).max(3600).default(30),
  ),
  OPEN5GS_MONITOR: z.preprocess(
    unset,
    z.enum(['simulated', 'spec', 'off'], { message: 'expected simulated, spec or off' }).optional(),
  ),
  SIM_IMPORT_MAX_BYTES: z.preprocess(
    unset,
    z.coerce
      .number({ message: 'expected bytes' })
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(16 * 1024 * 1024),
  ),
  SIM_IMPORT_MAX_ROWS: z.preprocess(
    unset,
    z.coerce.number({ message: 'expected a number of rows' }).int().min(1).max(1_000_000).default(100_000),
  ),
});

export type CoreNetworkConfig = {
  /** Key-encryption keys for SIM secrets (JSON, 0600); created on first start when no data key exists yet. */
  kekFile: string;
  /** Open5GS's MongoDB; unset = no live sync, documents are exported as mongoimport JSON instead. */
  open5gsMongoUrl: string | undefined;
  open5gsSyncIntervalMs: number;
  /** Limits of one SIM import, checked while the upload is read. */
  simImportMaxBytes: number;
  simImportMaxRows: number;
  seedDemo: boolean;
  /**
   * What the NF health monitor scrapes: `spec` = the NFs of the applied network spec, `simulated` = the
   * Open5GS NF simulator (@pakawaaz/open5gs-simulator, labelled SIMULATED in the NOC; the embedded demo's
   * default), `off`.
   */
  monitor: 'simulated' | 'spec' | 'off';
};

export function loadCoreNetworkConfig(env: Env, platform: PlatformConfig): CoreNetworkConfig {
  const c = parseConfig(schema, env);
  return {
    kekFile: path.resolve(c.PAKAWAAZ_KEK_FILE ?? path.join(platform.dataDir, 'keys', 'kek.json')),
    open5gsMongoUrl: c.OPEN5GS_MONGODB_URL,
    open5gsSyncIntervalMs: c.OPEN5GS_SYNC_INTERVAL_SECONDS * 1000,
    simImportMaxBytes: c.SIM_IMPORT_MAX_BYTES,
    simImportMaxRows: c.SIM_IMPORT_MAX_ROWS,
    seedDemo: platform.seedDemo,
    monitor: c.OPEN5GS_MONITOR ?? (platform.seedDemo ? 'simulated' : 'spec'),
  };
}

/**
 * The network CA's ES256 key (JWK, 0600, with the file backend): signs the Open5GS NFs' TLS certificates. Read
 * by `pakawaaz open5gs certs` only (the server does not use it), so it is not part of CoreNetworkConfig.
 */
export function networkCaKeyFile(env: Env, platform: Pick<PlatformConfig, 'dataDir'>): string {
  const c = parseConfig(schema, env);
  return path.resolve(
    c.PAKAWAAZ_NETWORK_CA_KEY_FILE ?? path.join(platform.dataDir, 'keys', 'network-ca.jwk'),
  );
}

export const CORE_NETWORK_CONFIG = Symbol.for('pakawaaz.CoreNetworkConfig');
