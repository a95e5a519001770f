import path from 'node:path';
import { envOptionalBool, parseConfig, type Env, type PlatformConfig } from '@pakawaaz/platform';
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
});

export type DeviceMgmtConfig = {
  dataDir: string;
  /** The device CA's ES256 key (JWK file, 0600, created on first start) — or an HSM object of that name. */
  caKeyFile: string;
  certificateValidityDays: number;
  /** Trust the lab attestation root (demo and tests only; the NOC warns while it is on). */
  trustLabRoot: boolean;
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
};

export const DEVICE_MGMT_CONFIG = Symbol.for('pakawaaz.device-mgmt.Config');

export function loadDeviceMgmtConfig(env: Env, platform: PlatformConfig): DeviceMgmtConfig {
  const c = parseConfig(schema, env);
  const digests = c.PAKAWAAZ_AGENT_SIGNATURE_DIGESTS?.toLowerCase().split(',') ?? [];
  return {
    dataDir: platform.dataDir,
    caKeyFile: path.resolve(
      c.PAKAWAAZ_DEVICE_CA_KEY_FILE ?? path.join(platform.dataDir, 'keys', 'device-ca.jwk'),
    ),
    certificateValidityDays: c.PAKAWAAZ_DEVICE_CERT_DAYS,
    trustLabRoot: c.PAKAWAAZ_TRUST_LAB_ROOT ?? false,
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
  };
}
