import path from 'node:path';
import { parseConfig, type Env, type PlatformConfig } from '@pakawaaz/platform';
import { z } from 'zod';

const unset = (v: unknown) => (v === '' ? undefined : v);

const schema = z.object({
  PAKAWAAZ_BOOTSTRAP_TOKEN: z.preprocess(
    unset,
    z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{32,256}$/,
        'expected 32-256 characters of [A-Za-z0-9_-] (e.g. `openssl rand -hex 32`)',
      )
      .optional(),
  ),
  PAKAWAAZ_ADMIN_PASSWORD: z.preprocess(
    unset,
    z
      .string()
      .min(12, 'expected at least 12 characters')
      .max(256, 'expected at most 256 characters')
      .optional(),
  ),
  PAKAWAAZ_TOKEN_SIGNING_KEY_FILE: z.preprocess(unset, z.string().optional()),
  PAKAWAAZ_ACCESS_TOKEN_TTL_SECONDS: z.preprocess(
    unset,
    z.coerce
      .number({ message: 'expected seconds' })
      .int()
      .min(60, 'expected at least 60')
      .max(3600, 'expected at most 3600')
      .default(600),
  ),
  PAKAWAAZ_TOKEN_ISSUER: z.preprocess(unset, z.string().min(1).max(200).default('pakawaaz')),
});

export type IdentityConfig = {
  /** First-run convenience: becomes a super-admin API token when the data store is created. */
  bootstrapToken: string | undefined;
  /** Password of the first NOC administrator; generated and printed when unset. */
  adminPassword: string | undefined;
  signingKeyFile: string;
  accessTokenTtlSeconds: number;
  issuer: string;
  dataDir: string;
  seedDemo: boolean;
};

export function loadIdentityConfig(env: Env, platform: PlatformConfig): IdentityConfig {
  const c = parseConfig(schema, env);
  return {
    bootstrapToken: c.PAKAWAAZ_BOOTSTRAP_TOKEN,
    adminPassword: c.PAKAWAAZ_ADMIN_PASSWORD,
    signingKeyFile: path.resolve(
      c.PAKAWAAZ_TOKEN_SIGNING_KEY_FILE ?? path.join(platform.dataDir, 'keys', 'token-signing-key.jwk'),
    ),
    accessTokenTtlSeconds: c.PAKAWAAZ_ACCESS_TOKEN_TTL_SECONDS,
    issuer: c.PAKAWAAZ_TOKEN_ISSUER,
    dataDir: platform.dataDir,
    seedDemo: platform.seedDemo,
  };
}

export const IDENTITY_CONFIG = Symbol.for('pakawaaz.IdentityConfig');
