import path from 'node:path';
import {
  envOptionalBool,
  envPort,
  envString,
  parseConfig,
  type Env,
  type PlatformConfig,
} from '@pakawaaz/platform';
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
  PAKAWAAZ_IDENTITY_SECRETS_KEY_FILE: z.preprocess(unset, z.string().optional()),
  PAKAWAAZ_REQUIRE_PASSKEYS: envOptionalBool(),
  /** Operators without a second factor (TOTP or a passkey) may only enrol one until they have. */
  PAKAWAAZ_REQUIRE_OPERATOR_MFA: envOptionalBool(),
  PAKAWAAZ_LOCKOUT_THRESHOLD: z.preprocess(
    unset,
    z.coerce
      .number({ message: 'expected a number' })
      .int()
      .min(3, 'expected at least 3')
      .max(100, 'expected at most 100 (NIST SP 800-63B)')
      .default(100),
  ),
  PAKAWAAZ_LOGIN_FREE_FAILURES: count(5),
  PAKAWAAZ_LOGIN_FREE_PER_SOURCE: count(30),
  PAKAWAAZ_LOGIN_MAX_BACKOFF_SECONDS: z.preprocess(
    unset,
    z.coerce
      .number({ message: 'expected seconds' })
      .int()
      .min(1, 'expected at least 1')
      .max(86_400, 'expected at most 86400 (a day)')
      .default(900),
  ),
  PAKAWAAZ_LOGIN_RATE_PER_IP: perMinute(100),
  PAKAWAAZ_DIRECTORY_RATE: perMinute(60),
  PAKAWAAZ_WEBAUTHN_RP_ID: z.preprocess(
    unset,
    z
      .string()
      .regex(/^[a-z0-9.-]{1,253}$/, "expected a host name (the NOC's domain, e.g. noc.gov.example)")
      .optional(),
  ),
  PAKAWAAZ_WEBAUTHN_ORIGINS: z.preprocess(
    unset,
    z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean),
      )
      .refine(
        (list) => list.length > 0 && list.every((o) => /^https?:\/\/[^/\s]+$/.test(o)),
        'expected comma-separated origins like https://noc.gov.example',
      )
      .optional(),
  ),
  RADIUS_AUTH_PORT: envPort(1812),
  RADIUS_ACCT_PORT: envPort(1813),
  RADIUS_ENABLED: envOptionalBool(),
  /** The RADIUS listening address (default: HOST; loopback as 127.0.0.1). NAS clients need a reachable one. */
  RADIUS_HOST: envString(),
  PAKAWAAZ_AUTH_EVENT_RETENTION_DAYS: z.preprocess(
    unset,
    z.coerce
      .number({ message: 'expected days' })
      .int()
      .min(1, 'expected at least 1')
      .max(3650, 'expected at most 3650 (ten years)')
      .default(90),
  ),
  RADIUS_EAP_NETWORK_NAME: z.preprocess(unset, z.string().min(1).max(255).default('WLAN')),
});

function count(fallback: number) {
  return z.preprocess(
    unset,
    z.coerce
      .number({ message: 'expected a number of failures' })
      .int()
      .min(1, 'expected at least 1')
      .max(10_000)
      .default(fallback),
  );
}

function perMinute(fallback: number) {
  return z.preprocess(
    unset,
    z.coerce
      .number({ message: 'expected attempts per minute' })
      .int()
      .min(1, 'expected at least 1')
      .max(100_000)
      .default(fallback),
  );
}

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
  /** Seals TOTP seeds and RADIUS secrets at rest (secret-box.ts). */
  secretsKeyFile: string;
  /** super-admin and security-officer only with a passkey sign-in (default on with PostgreSQL). */
  requirePasskeys: boolean;
  /** PAKAWAAZ_REQUIRE_OPERATOR_MFA: an operator's session holds no role until a second factor is enrolled. */
  requireOperatorMfa: boolean;
  /**
   * Consecutive failed sign-ins after which the password step closes to sign-ins without a possession
   * factor (the NIST SP 800-63B §5.2.2 guess limit); not a lock-out.
   */
  lockoutThreshold: number;
  /**
   * Exponential back-off (a temporary 429): after `freeFailures` failures of one account from one source, and
   * `freeFailuresPerSource` failures of any accounts from one source, each further failure doubles the wait
   * (1 s, 2 s, 4 s …) up to `maxSeconds`.
   */
  loginBackoff: { freeFailures: number; freeFailuresPerSource: number; maxSeconds: number };
  /** Sign-in steps (and passkey options) per minute per client address. */
  loginRatePerIp: number;
  /** Unauthenticated passkey challenges kept at most (older ones are dropped). */
  pendingPasskeyChallenges: number;
  directoryRate: number;
  /** origins null: the embedded default, http://localhost on any port. */
  webauthn: { rpId: string; rpName: string; origins: string[] | null };
  radius: { enabled: boolean; host: string; authPort: number; acctPort: number; eapNetworkName: string };
  /** Sign-in events (HTTP and RADIUS) are kept this many days, then pruned. */
  authEventsRetentionDays: number;
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
    secretsKeyFile: path.resolve(
      c.PAKAWAAZ_IDENTITY_SECRETS_KEY_FILE ?? path.join(platform.dataDir, 'keys', 'identity-secrets.key'),
    ),
    requirePasskeys: c.PAKAWAAZ_REQUIRE_PASSKEYS ?? platform.databaseMode === 'postgresql',
    requireOperatorMfa: c.PAKAWAAZ_REQUIRE_OPERATOR_MFA ?? false,
    lockoutThreshold: c.PAKAWAAZ_LOCKOUT_THRESHOLD,
    loginBackoff: {
      freeFailures: c.PAKAWAAZ_LOGIN_FREE_FAILURES,
      freeFailuresPerSource: c.PAKAWAAZ_LOGIN_FREE_PER_SOURCE,
      maxSeconds: c.PAKAWAAZ_LOGIN_MAX_BACKOFF_SECONDS,
    },
    loginRatePerIp: c.PAKAWAAZ_LOGIN_RATE_PER_IP,
    pendingPasskeyChallenges: 10_000,
    directoryRate: c.PAKAWAAZ_DIRECTORY_RATE,
    webauthn: {
      rpId: c.PAKAWAAZ_WEBAUTHN_RP_ID ?? 'localhost',
      rpName: 'Pakawaaz NOC',
      origins: c.PAKAWAAZ_WEBAUTHN_ORIGINS ?? null,
    },
    radius: {
      enabled: c.RADIUS_ENABLED ?? true,
      host: c.RADIUS_HOST ?? (platform.HOST === 'localhost' ? '127.0.0.1' : platform.HOST),
      authPort: c.RADIUS_AUTH_PORT,
      acctPort: c.RADIUS_ACCT_PORT,
      eapNetworkName: c.RADIUS_EAP_NETWORK_NAME,
    },
    authEventsRetentionDays: c.PAKAWAAZ_AUTH_EVENT_RETENTION_DAYS,
  };
}

export const IDENTITY_CONFIG = Symbol.for('pakawaaz.IdentityConfig');
