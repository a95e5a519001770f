import path from 'node:path';
import { z } from 'zod';
import { envBool, envOptionalBool, envPort, envString, envUrl, parseConfig, type Env } from './config.js';

export const DOMAIN_NAMES = [
  'core-network',
  'hardened-os',
  'identity',
  'device-mgmt',
  'app-store',
  'secure-chat',
] as const;
export type DomainName = (typeof DOMAIN_NAMES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const schema = z.object({
  PORT: envPort(8080),
  HOST: z.preprocess((v) => (v === '' ? undefined : v), z.string().default('0.0.0.0')),
  PAKAWAAZ_DATA_DIR: z.preprocess((v) => (v === '' ? undefined : v), z.string().default('.pakawaaz')),
  DATABASE_URL: envUrl(['postgres', 'postgresql']),
  NATS_URL: envUrl(['nats', 'tls']),
  LOG_LEVEL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
  PAKAWAAZ_DOMAINS: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .default('all')
      .transform((v, ctx) => {
        if (v === 'all') return [...DOMAIN_NAMES];
        const names = v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const unknown = names.filter((n) => !(DOMAIN_NAMES as readonly string[]).includes(n));
        if (unknown.length > 0) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown domain(s) ${unknown.join(', ')}; expected "all" or a comma-separated list of ${DOMAIN_NAMES.join(', ')}`,
          });
          return z.NEVER;
        }
        if (!names.includes('identity')) {
          ctx.addIssue({
            code: 'custom',
            message: 'identity must be part of every node (it verifies the tokens of every request)',
          });
          return z.NEVER;
        }
        return names as DomainName[];
      }),
  ),
  BODY_LIMIT_BYTES: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce
      .number({ message: 'expected a number of bytes' })
      .int()
      .min(1024, 'expected at least 1024 bytes')
      .max(64 * 1024 * 1024, 'expected at most 64 MiB')
      .default(1024 * 1024),
  ),
  PAKAWAAZ_SEED_DEMO: envOptionalBool(),
  PAKAWAAZ_REQUIRE_SERVICES: envBool(false),
  PAKAWAAZ_KEY_BACKEND: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.enum(['file', 'pkcs11'], { message: 'expected file or pkcs11' }).default('file'),
  ),
  PAKAWAAZ_PKCS11_MODULE: envString(),
  PAKAWAAZ_PKCS11_TOKEN_LABEL: envString(),
  PAKAWAAZ_PKCS11_PIN_FILE: envString(),
});

export type PlatformConfig = z.infer<typeof schema> & {
  /** Absolute data folder. */
  dataDir: string;
  databaseMode: 'embedded' | 'postgresql';
  eventBusMode: 'in-process' | 'nats';
  /** Seed the demo institution: default on for the embedded database, off for PostgreSQL. */
  seedDemo: boolean;
};

export function loadPlatformConfig(env: Env = process.env, cwd = process.cwd()): PlatformConfig {
  const parsed = parseConfig(schema, env);
  return {
    ...parsed,
    dataDir: path.resolve(cwd, parsed.PAKAWAAZ_DATA_DIR),
    databaseMode: parsed.DATABASE_URL ? 'postgresql' : 'embedded',
    eventBusMode: parsed.NATS_URL ? 'nats' : 'in-process',
    seedDemo: parsed.PAKAWAAZ_SEED_DEMO ?? parsed.DATABASE_URL === undefined,
  };
}
