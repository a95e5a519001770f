import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseRolloutOverrides, type RolloutPhase } from '../rollout/rollout-plan.js';
import {
  ConfigError,
  envBool,
  envOptionalBool,
  envPort,
  envString,
  envUrl,
  parseConfig,
  type Env,
} from './config.js';

/**
 * The domains a node may serve, as the composition root knows them (the kernel names no domain): their names
 * in start-up order, and those every node must serve with the reason, for the error message.
 */
export type DomainComposition = {
  readonly names: readonly string[];
  readonly everyNode: Readonly<Record<string, string>>;
};

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const platformSchema = (domains: DomainComposition) =>
  z.object({
    PORT: envPort(8080),
    // Loopback unless told otherwise: any other address needs HTTPS (below) or an explicit opt-out.
    HOST: z.preprocess((v) => (v === '' ? undefined : v), z.string().default('localhost')),
    /** PEM certificate (chain) and private key files: the API and NOC are then served over HTTPS. */
    PAKAWAAZ_TLS_CERT_FILE: envString(),
    PAKAWAAZ_TLS_KEY_FILE: envString(),
    /** Plain HTTP on a non-loopback address, for a TLS-terminating proxy in front (loudly logged). */
    PAKAWAAZ_INSECURE_HTTP: envBool(false),
    /** The device port: HTTPS with client certificates (mutual TLS) for handsets; 0 turns it off. */
    PAKAWAAZ_DEVICE_PORT: envPort(8443),
    /** The device port's server certificate and key (PEM); unset: issued by the device CA. */
    PAKAWAAZ_DEVICE_TLS_CERT_FILE: envString(),
    PAKAWAAZ_DEVICE_TLS_KEY_FILE: envString(),
    /** Host names and addresses handsets reach the device port by (its certificate names them). */
    PAKAWAAZ_DEVICE_HOSTNAMES: z.preprocess(
      (v) => (v === undefined || v === '' ? 'localhost,127.0.0.1' : v),
      z.string().transform((v, ctx) => {
        const names = list(v);
        const bad = names.filter((n) => !/^[A-Za-z0-9.:*-]{1,253}$/.test(n));
        if (names.length === 0 || bad.length > 0) {
          ctx.addIssue({
            code: 'custom',
            message: `expected comma-separated host names or addresses${bad.length ? `; not one: ${bad.join(', ')}` : ''}`,
          });
          return z.NEVER;
        }
        return names;
      }),
    ),
    /**
     * TLS terminators (addresses or CIDRs) whose forwarded client certificate header is believed; empty: none,
     * the header is ignored from everyone.
     */
    PAKAWAAZ_DEVICE_PROXY_ADDRESSES: z.preprocess(
      (v) => (v === undefined ? '' : v),
      z.string().transform((v, ctx) => {
        const entries = list(v);
        const bad = entries.filter((e) => parseCidr(e) === null);
        if (bad.length > 0) {
          ctx.addIssue({
            code: 'custom',
            message: `expected comma-separated IP addresses or CIDRs (10.0.0.5, 10.0.0.0/24, fd00::/8); not one: ${bad.join(', ')}`,
          });
          return z.NEVER;
        }
        return entries;
      }),
    ),
    /** The header an allow-listed proxy forwards the client certificate in (URL-escaped PEM, as nginx's). */
    PAKAWAAZ_DEVICE_CERT_HEADER: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .regex(/^[A-Za-z0-9-]{1,64}$/, 'expected an HTTP header name such as x-client-cert')
        .default('x-client-cert')
        .transform((v) => v.toLowerCase()),
    ),
    /**
     * The origins (`https://chat.example.gov`) clients reach this server by, comma-separated: a desktop's DPoP
     * proof must name one of them (RFC 9449 §4.3). Set it behind a reverse proxy; unset: the request's own.
     */
    PAKAWAAZ_PUBLIC_ORIGINS: z.preprocess(
      (v) => (v === undefined ? '' : v),
      z.string().transform((v, ctx) => {
        const entries = list(v);
        const origins = entries.map(publicOrigin);
        const bad = entries.filter((_, i) => origins[i] === null);
        if (bad.length > 0) {
          ctx.addIssue({
            code: 'custom',
            message: `expected comma-separated http(s) origins without a path (https://chat.example.gov); not one: ${bad.join(', ')}`,
          });
          return z.NEVER;
        }
        return origins as string[];
      }),
    ),
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
          if (v === 'all') return [...domains.names];
          const names = v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          const unknown = names.filter((n) => !domains.names.includes(n));
          if (unknown.length > 0) {
            ctx.addIssue({
              code: 'custom',
              message: `unknown domain(s) ${unknown.join(', ')}; expected "all" or a comma-separated list of ${domains.names.join(', ')}`,
            });
            return z.NEVER;
          }
          for (const [name, why] of Object.entries(domains.everyNode)) {
            if (names.includes(name)) continue;
            ctx.addIssue({ code: 'custom', message: `${name} must be part of every node (${why})` });
            return z.NEVER;
          }
          return names;
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
    /** Server processes on this host (`auto`: one per core); more than one needs PostgreSQL and NATS. */
    PAKAWAAZ_PROCESSES: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .union([
          z.literal('auto'),
          z.coerce
            .number({ message: 'expected auto or a number of processes' })
            .int('expected auto or a whole number of processes')
            .min(1, 'expected at least 1 process')
            .max(64, 'expected at most 64 processes'),
        ])
        .default(1),
    ),
    /** Set by the supervising process of PAKAWAAZ_PROCESSES > 1 in each process it starts (0 = the lead). */
    PAKAWAAZ_PROCESS_INDEX: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.coerce.number().int().min(0).max(63).optional(),
    ),
    PAKAWAAZ_REQUIRE_SERVICES: envBool(false),
    PAKAWAAZ_KEY_BACKEND: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.enum(['file', 'pkcs11'], { message: 'expected file or pkcs11' }).default('file'),
    ),
    PAKAWAAZ_PKCS11_MODULE: envString(),
    PAKAWAAZ_PKCS11_TOKEN_LABEL: envString(),
    PAKAWAAZ_PKCS11_PIN_FILE: envString(),
    /** The audit checkpoint signing key (Ed25519 JWK; default <data dir>/keys/audit-checkpoint.jwk). */
    PAKAWAAZ_AUDIT_CHECKPOINT_KEY_FILE: envString(),
    PAKAWAAZ_AUDIT_CHECKPOINT_SECONDS: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.coerce
        .number({ message: 'expected a number of seconds' })
        .int()
        .min(1, 'expected at least 1 second')
        .max(86_400, 'expected at most a day')
        .default(600),
    ),
    /** Overrides of the capabilities' first rollout phases: `chat=pilot,calls=federal-ministries`. */
    PAKAWAAZ_ROLLOUT_PLAN: z.preprocess(
      (v) => (v === undefined ? '' : v),
      z.string().transform((v, ctx): Record<string, RolloutPhase> => {
        const parsed = parseRolloutOverrides(v);
        if (typeof parsed === 'string') {
          ctx.addIssue({ code: 'custom', message: `expected capability=phase pairs: ${parsed}` });
          return z.NEVER;
        }
        return parsed;
      }),
    ),
  });

export type PlatformConfig = z.infer<ReturnType<typeof platformSchema>> & {
  /** Absolute data folder. */
  dataDir: string;
  /** Absolute path of the audit checkpoint key file (the file backend's; a label in an HSM). */
  auditCheckpointKeyFile: string;
  databaseMode: 'embedded' | 'postgresql';
  eventBusMode: 'in-process' | 'nats';
  /** Seed the demo institution: default on for the embedded database, off for PostgreSQL. */
  seedDemo: boolean;
  /** Server processes on this host (PAKAWAAZ_PROCESSES, `auto` resolved): one cluster's nodes sharing its ports. */
  processes: number;
  /** This process's index among them (0, the lead, when it runs alone). */
  processIndex: number;
};

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** `scheme://host[:port]` of an http(s) origin without path, query or credentials; null otherwise. */
function publicOrigin(entry: string): string | null {
  try {
    const u = new URL(entry);
    const bare = !u.username && !u.password && !u.search && !u.hash && u.pathname === '/';
    return bare && (u.protocol === 'https:' || u.protocol === 'http:') ? u.origin : null;
  } catch {
    return null;
  }
}

/** An address or CIDR of the proxy allow-list, or null when it is not one. */
export function parseCidr(
  entry: string,
): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address = '', prefixText, extra] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return null;
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Both TLS files or neither; a non-loopback address only with HTTPS, or with the explicit opt-out. */
function checkTransport(c: z.infer<ReturnType<typeof platformSchema>>): void {
  const issues: { variable: string; expected: string }[] = [];
  if ((c.PAKAWAAZ_TLS_CERT_FILE === undefined) !== (c.PAKAWAAZ_TLS_KEY_FILE === undefined))
    issues.push({
      variable: c.PAKAWAAZ_TLS_CERT_FILE ? 'PAKAWAAZ_TLS_KEY_FILE' : 'PAKAWAAZ_TLS_CERT_FILE',
      expected: 'set both PAKAWAAZ_TLS_CERT_FILE and PAKAWAAZ_TLS_KEY_FILE (PEM files), or neither',
    });
  else if (!c.PAKAWAAZ_TLS_CERT_FILE && !isLoopbackHost(c.HOST) && !c.PAKAWAAZ_INSECURE_HTTP)
    issues.push({
      variable: 'HOST',
      expected: `${c.HOST} is reachable from other machines, and passwords and tokens must not cross the network in clear: set PAKAWAAZ_TLS_CERT_FILE and PAKAWAAZ_TLS_KEY_FILE to serve HTTPS, or (behind a proxy that terminates TLS) PAKAWAAZ_INSECURE_HTTP=true`,
    });
  if ((c.PAKAWAAZ_DEVICE_TLS_CERT_FILE === undefined) !== (c.PAKAWAAZ_DEVICE_TLS_KEY_FILE === undefined))
    issues.push({
      variable: c.PAKAWAAZ_DEVICE_TLS_CERT_FILE
        ? 'PAKAWAAZ_DEVICE_TLS_KEY_FILE'
        : 'PAKAWAAZ_DEVICE_TLS_CERT_FILE',
      expected:
        'set both PAKAWAAZ_DEVICE_TLS_CERT_FILE and PAKAWAAZ_DEVICE_TLS_KEY_FILE (PEM files), or neither (the device CA issues one)',
    });
  if (issues.length) throw new ConfigError(issues);
}

/**
 * Several processes on one host are nodes of one cluster (docs/operations.md, "Several processes on one host"):
 * they share the database and the event bus, which only PostgreSQL and NATS can be for more than one process.
 */
function checkProcesses(c: z.infer<ReturnType<typeof platformSchema>>, processes: number): void {
  if ((c.PAKAWAAZ_PROCESS_INDEX ?? 0) >= processes)
    throw new ConfigError([
      { variable: 'PAKAWAAZ_PROCESS_INDEX', expected: `an index below PAKAWAAZ_PROCESSES (${processes})` },
    ]);
  if (processes === 1 || (c.DATABASE_URL && c.NATS_URL)) return;
  const missing = [...(c.DATABASE_URL ? [] : ['DATABASE_URL']), ...(c.NATS_URL ? [] : ['NATS_URL'])];
  throw new ConfigError([
    {
      variable: 'PAKAWAAZ_PROCESSES',
      expected: `${processes} processes are nodes of one cluster: set ${missing.join(' and ')} (PostgreSQL and NATS; the embedded database and the in-process bus serve one process), or PAKAWAAZ_PROCESSES=1`,
    },
  ]);
}

/** Parses the kernel's variables once; `domains` is the server's composition (PAKAWAAZ_DOMAINS is checked against it). */
export function loadPlatformConfig(env: Env, cwd: string, domains: DomainComposition): PlatformConfig {
  const parsed = parseConfig(platformSchema(domains), env);
  checkTransport(parsed);
  const processes =
    parsed.PAKAWAAZ_PROCESSES === 'auto' ? Math.min(64, availableParallelism()) : parsed.PAKAWAAZ_PROCESSES;
  checkProcesses(parsed, processes);
  return {
    ...parsed,
    dataDir: path.resolve(cwd, parsed.PAKAWAAZ_DATA_DIR),
    auditCheckpointKeyFile: path.resolve(
      cwd,
      parsed.PAKAWAAZ_AUDIT_CHECKPOINT_KEY_FILE ??
        path.join(parsed.PAKAWAAZ_DATA_DIR, 'keys', 'audit-checkpoint.jwk'),
    ),
    databaseMode: parsed.DATABASE_URL ? 'postgresql' : 'embedded',
    eventBusMode: parsed.NATS_URL ? 'nats' : 'in-process',
    seedDemo: parsed.PAKAWAAZ_SEED_DEMO ?? parsed.DATABASE_URL === undefined,
    processes,
    processIndex: parsed.PAKAWAAZ_PROCESS_INDEX ?? 0,
  };
}
