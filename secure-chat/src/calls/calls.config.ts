import path from 'node:path';
import { ConfigError, parseConfig, type Env, type PlatformConfig } from '@pakawaaz/platform';
import { z } from 'zod';

const unset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const int = (min: number, max: number, dflt: number) =>
  z.preprocess(
    unset,
    z.coerce.number({ message: 'expected a whole number' }).int().min(min).max(max).default(dflt),
  );
/** A DNS name is at most 253 characters (RFC 1035 §2.3.4); the probe's `host:port` must fit its event. */
const MAX_HOST = 253;
const turnUrl = z
  .string()
  .regex(/^turns?:[^\s,]+$/, 'expected turn: or turns: URLs, comma-separated')
  .max(300)
  .refine(
    (u) => (/^turns?:(\[[^\]]*\]|[^:?]*)/.exec(u)?.[1] ?? '').length <= MAX_HOST,
    `a TURN host is at most ${MAX_HOST} characters`,
  );

const schema = z.object({
  PAKAWAAZ_JANUS: z.preprocess(unset, z.enum(['auto', 'off']).default('auto')),
  PAKAWAAZ_JANUS_BINARY: z.preprocess(unset, z.string().default('janus')),
  PAKAWAAZ_JANUS_LIB_DIR: z.preprocess(unset, z.string().optional()),
  PAKAWAAZ_JANUS_WS_PORT: int(0, 65535, 0),
  PAKAWAAZ_JANUS_ADMIN_PORT: int(0, 65535, 0),
  PAKAWAAZ_JANUS_RTP_PORTS: z.preprocess(
    unset,
    z
      .string()
      .regex(/^\d{4,5}-\d{4,5}$/, 'expected a range like 20000-29999')
      .default('20000-29999'),
  ),
  PAKAWAAZ_JANUS_CAPACITY: int(1, 100_000, 100),
  PAKAWAAZ_CALLS_SECRETS_KEY_FILE: z.preprocess(unset, z.string().optional()),
  PAKAWAAZ_CALLS_HEALTH_SECONDS: int(1, 300, 5),
  PAKAWAAZ_CALLS_MAX_PARTICIPANTS: int(2, 500, 50),
  PAKAWAAZ_CALLS_MAX_STARTED_PER_DEVICE: int(1, 100, 2),
  PAKAWAAZ_CALLS_IDLE_SECONDS: int(10, 86_400, 120),
  PAKAWAAZ_CALLS_RING_SECONDS: int(1, 300, 45),
  PAKAWAAZ_TURN_URLS: z.preprocess(
    (v) =>
      typeof unset(v) === 'string'
        ? String(v)
            .split(',')
            .map((s) => s.trim())
        : undefined,
    z.array(turnUrl).max(10).optional(),
  ),
  PAKAWAAZ_TURN_SECRET_FILE: z.preprocess(unset, z.string().optional()),
  PAKAWAAZ_TURN_TTL_SECONDS: int(60, 86_400, 600),
  PAKAWAAZ_TURN_PROBE_SECONDS: int(1, 3_600, 30),
});

export type CallsConfig = {
  /** `auto`: start a local Janus when its binary is found (calls disabled otherwise); `off`: never. */
  janus: 'auto' | 'off';
  janusBinary: string;
  /** The Debian package's module folder (plugins, transports, …). */
  janusLibDir: string;
  /** The embedded Janus's loopback ports (0: a free port at each start). */
  janusWsPort: number;
  janusAdminPort: number;
  janusRtpPorts: string;
  /** Rooms the embedded Janus takes at once. */
  janusCapacity: number;
  /** Where the embedded Janus's configuration is written (`<data>/janus`). */
  janusDir: string;
  /** The key set that seals media hosts' admin secrets. */
  secretsKeyFile: string;
  /** How often every media host is probed; two failed probes in a row mark it down. */
  healthMs: number;
  maxParticipants: number;
  /** Live calls one device may have started at once. */
  maxStartedPerDevice: number;
  /** A live call with nobody in its Janus room this long is ended (and the sweep runs this often). */
  idleMs: number;
  /** Callees ring this long; then the call is missed (and ends if nobody answered). */
  ringMs: number;
  /** coturn (`use-auth-secret`): its URLs and the file holding its `static-auth-secret`; none: no TURN. */
  turn: {
    urls: string[];
    secretFile: string;
    ttlSeconds: number;
    /** How often each TURN server is probed (STUN Binding, then an Allocate with REST credentials). */
    probeMs: number;
  } | null;
};

const debianMultiarch = () => (process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu');

export function loadCallsConfig(env: Env, platform: PlatformConfig): CallsConfig {
  const c = parseConfig(schema, env);
  const urls = c.PAKAWAAZ_TURN_URLS ?? [];
  if (urls.length > 0 !== (c.PAKAWAAZ_TURN_SECRET_FILE !== undefined))
    throw new ConfigError([
      {
        variable: urls.length > 0 ? 'PAKAWAAZ_TURN_SECRET_FILE' : 'PAKAWAAZ_TURN_URLS',
        expected:
          'goes together with the other: set both PAKAWAAZ_TURN_URLS and PAKAWAAZ_TURN_SECRET_FILE, or neither',
      },
    ]);
  return {
    janus: c.PAKAWAAZ_JANUS,
    janusBinary: c.PAKAWAAZ_JANUS_BINARY,
    janusLibDir: c.PAKAWAAZ_JANUS_LIB_DIR ?? `/usr/lib/${debianMultiarch()}/janus`,
    janusWsPort: c.PAKAWAAZ_JANUS_WS_PORT,
    janusAdminPort: c.PAKAWAAZ_JANUS_ADMIN_PORT,
    janusRtpPorts: c.PAKAWAAZ_JANUS_RTP_PORTS,
    janusCapacity: c.PAKAWAAZ_JANUS_CAPACITY,
    janusDir: path.join(platform.dataDir, 'janus'),
    secretsKeyFile: path.resolve(
      c.PAKAWAAZ_CALLS_SECRETS_KEY_FILE ?? path.join(platform.dataDir, 'keys', 'calls-secrets.key'),
    ),
    healthMs: c.PAKAWAAZ_CALLS_HEALTH_SECONDS * 1000,
    maxParticipants: c.PAKAWAAZ_CALLS_MAX_PARTICIPANTS,
    maxStartedPerDevice: c.PAKAWAAZ_CALLS_MAX_STARTED_PER_DEVICE,
    idleMs: c.PAKAWAAZ_CALLS_IDLE_SECONDS * 1000,
    ringMs: c.PAKAWAAZ_CALLS_RING_SECONDS * 1000,
    turn: c.PAKAWAAZ_TURN_SECRET_FILE
      ? {
          urls,
          secretFile: path.resolve(c.PAKAWAAZ_TURN_SECRET_FILE),
          ttlSeconds: c.PAKAWAAZ_TURN_TTL_SECONDS,
          probeMs: c.PAKAWAAZ_TURN_PROBE_SECONDS * 1000,
        }
      : null,
  };
}

export const CALLS_CONFIG = Symbol.for('pakawaaz.CallsConfig');
