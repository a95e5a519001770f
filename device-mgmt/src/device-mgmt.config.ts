import path from 'node:path';
import {
  envOptionalBool,
  envPort,
  envString,
  envUrl,
  parseConfig,
  type Env,
  type PlatformConfig,
} from '@pakawaaz/platform';
import { z } from 'zod';

const unset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const hexList = z
  .string()
  .regex(
    /^[0-9a-fA-F]{64}(,[0-9a-fA-F]{64})*$/,
    'expected comma-separated SHA-256 digests (64 hex characters)',
  );

const schema = z.object({
  PAKAWAAZ_DEVICE_CA_KEY_FILE: z.preprocess(unset, z.string().optional()),
  PAKAWAAZ_DEVICE_CERT_DAYS: z.preprocess(
    unset,
    z.coerce.number({ message: 'expected days' }).int().min(1).max(825).default(90),
  ),
  PAKAWAAZ_TRUST_LAB_ROOT: envOptionalBool(),
  PAKAWAAZ_DEMO_FLEET: envOptionalBool(),
  PAKAWAAZ_LAB_ROOT_FILE: z.preprocess(unset, z.string().optional()),
  PAKAWAAZ_ATTESTATION_ROOTS_FILE: z.preprocess(unset, z.string().optional()),
  PAKAWAAZ_ATTESTATION_STATUS_FILE: z.preprocess(unset, z.string().optional()),
  PAKAWAAZ_AGENT_PACKAGE: z.preprocess(
    unset,
    z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/, 'expected an Android package name')
      .optional(),
  ),
  PAKAWAAZ_AGENT_SIGNATURE_DIGESTS: z.preprocess(unset, hexList.optional()),
  PAKAWAAZ_REQUIRE_STRONGBOX: envOptionalBool(),
  PAKAWAAZ_MIN_PATCH_LEVEL: z.preprocess(
    unset,
    z.coerce
      .number({ message: 'expected YYYYMM' })
      .int()
      .min(200_001, 'expected YYYYMM')
      .max(209_912, 'expected YYYYMM')
      .optional(),
  ),
  PAKAWAAZ_TRUSTED_BOOT_KEYS: z.preprocess(unset, hexList.optional()),
  PAKAWAAZ_ENROL_URL_BASE: z.preprocess(unset, z.string().url().optional()),
  PAKAWAAZ_DESKTOP_ENROL_MAX_AUTH_AGE_SECONDS: z.preprocess(
    unset,
    z.coerce.number({ message: 'expected seconds' }).int().min(30).max(86_400).default(300),
  ),
  PAKAWAAZ_DESKTOP_ENROL_ACR: z.preprocess(
    unset,
    z.enum(['aal1', 'aal2', 'aal3'], { message: 'expected aal1, aal2 or aal3' }).optional(),
  ),
  PAKAWAAZ_CHECK_IN_BATCH: z.preprocess(
    unset,
    z.coerce.number({ message: 'expected a number of check-ins' }).int().min(1).max(256).default(64),
  ),
});

const rate = (fallback: number, max: number) =>
  z.preprocess(
    unset,
    z.coerce.number({ message: 'expected a number of connections' }).int().min(1).max(max).default(fallback),
  );

// Push without FCM (MQTT).
const pushSchema = z.object({
  /** The embedded broker's mutual-TLS port; 0 = no embedded broker. Ignored when MQTT_URL is set. */
  PAKAWAAZ_MQTT_PORT: envPort(18830),
  /** Names and addresses handsets reach the broker by (its certificate's SANs); default: HOST. */
  PAKAWAAZ_MQTT_HOSTNAMES: envString(),
  PAKAWAAZ_MQTT_CONNECT_RATE: rate(200, 100_000),
  PAKAWAAZ_MQTT_CONNECT_BURST: rate(1_000, 1_000_000),
  PAKAWAAZ_MQTT_CONNECT_RATE_PER_ADDRESS: rate(5, 100_000),
  PAKAWAAZ_MQTT_CONNECT_BURST_PER_ADDRESS: rate(20, 1_000_000),
  /** An external broker (Mosquitto): pushes are published there and no embedded broker runs. */
  MQTT_URL: envUrl(['mqtt', 'mqtts']),
  MQTT_USERNAME: envString(),
  MQTT_PASSWORD: envString(),
  MQTT_CA_FILE: envString(),
  MQTT_CERT_FILE: envString(),
  MQTT_KEY_FILE: envString(),
});

export type PushConfig = {
  mode: 'embedded' | 'external' | 'off';
  embedded: {
    host: string;
    port: number;
    hostnames: readonly string[];
    limits: {
      globalPerSecond: number;
      globalBurst: number;
      perAddressPerSecond: number;
      perAddressBurst: number;
    };
  };
  external: {
    url: string;
    username: string | undefined;
    password: string | undefined;
    caFile: string | undefined;
    certFile: string | undefined;
    keyFile: string | undefined;
  } | null;
};

export function loadPushConfig(env: Env, platform: Pick<PlatformConfig, 'HOST'>): PushConfig {
  const c = parseConfig(pushSchema, env);
  const host = platform.HOST === 'localhost' ? '127.0.0.1' : platform.HOST;
  const hostnames = c.PAKAWAAZ_MQTT_HOSTNAMES?.split(',')
    .map((h) => h.trim())
    .filter(Boolean) ?? [platform.HOST, ...(platform.HOST === 'localhost' ? ['127.0.0.1'] : [])];
  return {
    mode: c.MQTT_URL ? 'external' : c.PAKAWAAZ_MQTT_PORT === 0 ? 'off' : 'embedded',
    embedded: {
      host,
      port: c.PAKAWAAZ_MQTT_PORT,
      hostnames,
      limits: {
        globalPerSecond: c.PAKAWAAZ_MQTT_CONNECT_RATE,
        globalBurst: c.PAKAWAAZ_MQTT_CONNECT_BURST,
        perAddressPerSecond: c.PAKAWAAZ_MQTT_CONNECT_RATE_PER_ADDRESS,
        perAddressBurst: c.PAKAWAAZ_MQTT_CONNECT_BURST_PER_ADDRESS,
      },
    },
    external: c.MQTT_URL
      ? {
          url: c.MQTT_URL,
          username: c.MQTT_USERNAME,
          password: c.MQTT_PASSWORD,
          caFile: c.MQTT_CA_FILE,
          certFile: c.MQTT_CERT_FILE,
          keyFile: c.MQTT_KEY_FILE,
        }
      : null,
  };
}

export const PUSH_CONFIG = Symbol.for('pakawaaz.device-mgmt.PushConfig');

/** device-mgmt's settings, parsed once at start-up by the server (a bad value stops it naming the variable). */
export type DeviceMgmtConfig = {
  dataDir: string;
  /** The device CA's ES256 key (JWK file, 0600, created on first start) — or an HSM object of that name. */
  caKeyFile: string;
  certificateValidityDays: number;
  /** Trust the lab attestation root (demo and tests only; the NOC warns while it is on). */
  trustLabRoot: boolean;
  /**
   * Run the embedded demo's simulated handsets (a child process of the server): only with demo data
   * (PAKAWAAZ_SEED_DEMO), on by default there, off with PAKAWAAZ_DEMO_FLEET=false or an untrusted lab root.
   */
  demoFleet: boolean;
  labRootFile: string;
  /** Extra (national) attestation roots, PEM; null: Google's roots only. */
  attestationRootsFile: string | null;
  /** The local mirror of Google's attestation status list (refreshed by `pakawaaz devices attestation-status`). */
  attestationStatusFile: string;
  /** Our agent (package name and signing-certificate digests); null: the application id is not checked. */
  agent: { packageName: string; signatureDigests: string[] } | null;
  requireStrongBox: boolean;
  /** Used when hardened-os does not answer (its port unbound). */
  minimumPatchLevel: number | null;
  trustedBootKeys: string[];
  /** The base of enrolment URLs (QR codes): `<base>/enrol#token=…`; null: a `pakawaaz-enrol:` URL. */
  enrolUrlBase: string | null;
  /** Most check-ins written in one statement (group commit); 1 writes each on its own. */
  checkInBatch: number;
  /**
   * What enrolling a desktop (a long-lived device key) takes: a sign-in at most `maxAuthAgeSeconds` old
   * (PAKAWAAZ_DESKTOP_ENROL_MAX_AUTH_AGE_SECONDS, 300) at assurance level `acr` or above
   * (PAKAWAAZ_DESKTOP_ENROL_ACR: aal2, a second factor; aal1 with the demo data, whose officials hold none).
   */
  desktopEnrolment: { maxAuthAgeSeconds: number; acr: 'aal1' | 'aal2' | 'aal3' };
  push: PushConfig;
};

export const DEVICE_MGMT_CONFIG = Symbol.for('pakawaaz.device-mgmt.Config');

export function loadDeviceMgmtConfig(env: Env, platform: PlatformConfig): DeviceMgmtConfig {
  const c = parseConfig(schema, env);
  const digests = c.PAKAWAAZ_AGENT_SIGNATURE_DIGESTS?.toLowerCase().split(',') ?? [];
  // Demo data brings its demo fleet, and the fleet's handsets are attested by the lab root.
  const demo = platform.seedDemo && c.PAKAWAAZ_DEMO_FLEET !== false;
  const trustLabRoot = c.PAKAWAAZ_TRUST_LAB_ROOT ?? demo;
  return {
    dataDir: platform.dataDir,
    caKeyFile: path.resolve(
      c.PAKAWAAZ_DEVICE_CA_KEY_FILE ?? path.join(platform.dataDir, 'keys', 'device-ca.jwk'),
    ),
    certificateValidityDays: c.PAKAWAAZ_DEVICE_CERT_DAYS,
    trustLabRoot,
    demoFleet: demo && trustLabRoot,
    labRootFile: path.resolve(
      c.PAKAWAAZ_LAB_ROOT_FILE ?? path.join(platform.dataDir, 'lab', 'attestation-root.pem'),
    ),
    attestationRootsFile: c.PAKAWAAZ_ATTESTATION_ROOTS_FILE
      ? path.resolve(c.PAKAWAAZ_ATTESTATION_ROOTS_FILE)
      : null,
    attestationStatusFile: path.resolve(
      c.PAKAWAAZ_ATTESTATION_STATUS_FILE ?? path.join(platform.dataDir, 'attestation', 'status.json'),
    ),
    agent: c.PAKAWAAZ_AGENT_PACKAGE
      ? { packageName: c.PAKAWAAZ_AGENT_PACKAGE, signatureDigests: digests }
      : null,
    requireStrongBox: c.PAKAWAAZ_REQUIRE_STRONGBOX ?? false,
    minimumPatchLevel: c.PAKAWAAZ_MIN_PATCH_LEVEL ?? null,
    trustedBootKeys: c.PAKAWAAZ_TRUSTED_BOOT_KEYS?.toLowerCase().split(',') ?? [],
    enrolUrlBase: c.PAKAWAAZ_ENROL_URL_BASE?.replace(/\/+$/, '') ?? null,
    checkInBatch: c.PAKAWAAZ_CHECK_IN_BATCH,
    desktopEnrolment: {
      maxAuthAgeSeconds: c.PAKAWAAZ_DESKTOP_ENROL_MAX_AUTH_AGE_SECONDS,
      acr: c.PAKAWAAZ_DESKTOP_ENROL_ACR ?? (platform.seedDemo ? 'aal1' : 'aal2'),
    },
    push: loadPushConfig(env, platform),
  };
}
