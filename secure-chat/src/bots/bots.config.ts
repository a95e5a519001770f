import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import { envBool, parseConfig, type Env } from '@pakawaaz/platform';
import { z } from 'zod';

const unset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const int = (min: number, max: number, dflt: number) =>
  z.preprocess(
    unset,
    z.coerce.number({ message: 'expected a whole number' }).int().min(min).max(max).default(dflt),
  );

const schema = z.object({
  PAKAWAAZ_CHAT_BOT_SENDS_PER_MINUTE: int(1, 100_000, 60),
  PAKAWAAZ_CHAT_BOT_SEND_BURST: int(1, 100_000, 20),
  PAKAWAAZ_CHAT_BOT_WEBHOOK_TIMEOUT_SECONDS: int(1, 120, 10),
  PAKAWAAZ_CHAT_BOT_WEBHOOK_MAX_BACKOFF_SECONDS: int(1, 86_400, 600),
  PAKAWAAZ_CHAT_BOT_WEBHOOK_CONCURRENCY: int(1, 1000, 16),
  PAKAWAAZ_CHAT_BOT_MAX_PER_INSTITUTION: int(1, 100_000, 50),
  PAKAWAAZ_CHAT_BOT_WEBHOOK_SECRET_OVERLAP_HOURS: int(0, 720, 24),
  PAKAWAAZ_CHAT_BOT_LOOPBACK_HTTP: envBool(false),
  PAKAWAAZ_CHAT_BOT_WEBHOOK_HOSTS: z.preprocess(unset, z.string().max(4096).optional()),
  PAKAWAAZ_CHAT_BOT_SECRETS_KEY_FILE: z.preprocess(unset, z.string().optional()),
});

export type BotsConfig = {
  /** Sends (messages and commits) a bot may make a minute, and its burst (a token bucket per bot). */
  sendsPerMinute: number;
  sendBurst: number;
  /** One webhook delivery's time limit, and the longest wait between two retries (exponential, jittered). */
  webhookTimeoutMs: number;
  maxBackoffMs: number;
  /**
   * Bots' queues this node delivers at once (the others wait their turn): many bots pointed at a slow
   * receiver hold that many sockets, not one each.
   */
  webhookConcurrency: number;
  /** After a webhook secret's rotation, how long deliveries are signed with the old one too (0: not at all). */
  secretOverlapMs: number;
  /** Bots an institution may have (pending or active; disabled ones do not count). */
  maxBotsPerInstitution: number;
  /**
   * How long a node's lease on a bot's queue lasts (`drainLeaseMs` of the timeout), renewed before each batch:
   * one node delivers a bot's queue at a time, and a node that dies blocks its bots this long at most.
   */
  drainLeaseMs: number;
  /** How often every node sweeps for queues to deliver (those another node filled, or a restart left). */
  sweepMs: number;
  /** Lab mode: webhooks may be plain http to a loopback address (otherwise https only). */
  loopbackHttp: boolean;
  /**
   * Hosts webhooks may go to (`eoffice.gov.example`, or `.gov.example` for a domain and its subdomains), at
   * any address but loopback, link-local, unspecified and cloud metadata; empty: any host at a public address
   * only (no private networks). Set it in production: a chat-admin of an institution registers webhook URLs,
   * and the server calls them from inside the data centre. The address a name resolves to is checked when
   * connecting.
   */
  webhookHosts: readonly string[];
  /** The key set bots' webhook secrets are sealed under (a file, or a label in an HSM). */
  secretsKeyFile: string;
};

export function loadBotsConfig(env: Env, dataDir = '.pakawaaz'): BotsConfig {
  const c = parseConfig(schema, env);
  return {
    sendsPerMinute: c.PAKAWAAZ_CHAT_BOT_SENDS_PER_MINUTE,
    sendBurst: c.PAKAWAAZ_CHAT_BOT_SEND_BURST,
    webhookTimeoutMs: c.PAKAWAAZ_CHAT_BOT_WEBHOOK_TIMEOUT_SECONDS * 1000,
    maxBackoffMs: c.PAKAWAAZ_CHAT_BOT_WEBHOOK_MAX_BACKOFF_SECONDS * 1000,
    webhookConcurrency: c.PAKAWAAZ_CHAT_BOT_WEBHOOK_CONCURRENCY,
    maxBotsPerInstitution: c.PAKAWAAZ_CHAT_BOT_MAX_PER_INSTITUTION,
    secretOverlapMs: c.PAKAWAAZ_CHAT_BOT_WEBHOOK_SECRET_OVERLAP_HOURS * 3_600_000,
    drainLeaseMs: drainLeaseMs(c.PAKAWAAZ_CHAT_BOT_WEBHOOK_TIMEOUT_SECONDS * 1000),
    sweepMs: 15_000,
    loopbackHttp: c.PAKAWAAZ_CHAT_BOT_LOOPBACK_HTTP,
    webhookHosts: (c.PAKAWAAZ_CHAT_BOT_WEBHOOK_HOSTS ?? '')
      .split(',')
      // `a.example.` is `a.example` (hosts are compared without their trailing dot).
      .map((h) => h.trim().toLowerCase().replace(/\.+$/, ''))
      .filter(Boolean),
    secretsKeyFile: path.resolve(
      c.PAKAWAAZ_CHAT_BOT_SECRETS_KEY_FILE ?? path.join(dataDir, 'keys', 'bot-secrets.key'),
    ),
  };
}

/**
 * A drain lease outlasts a batch: its POST (at most the webhook timeout) and the database work around it (the
 * queue read, the ack, the row's update), with room for a slow database — twice the timeout and 30 s.
 */
export const drainLeaseMs = (webhookTimeoutMs: number): number => 2 * webhookTimeoutMs + 30_000;

export const BOTS_CONFIG = Symbol.for('pakawaaz.secure-chat.BotsConfig');

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A BlockList of these CIDR subnets (`a.b.c.d/n`, `x::/n`). */
function subnets(...cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net, bits] = cidr.split('/') as [string, string];
    list.addSubnet(net, Number(bits), isIP(net) === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

/**
 * Addresses a webhook never goes to, whatever PAKAWAAZ_CHAT_BOT_WEBHOOK_HOSTS says: the server itself
 * (loopback), unspecified (also when embedded in an IPv6 address: see `embeddedIpv4`), all link-local
 * (169.254/16, fe80::/10: AWS, GCP, Azure, Oracle, OpenStack and Tencent metadata live there) and the
 * cloud metadata and host services that sit in ranges an allow-list opens: AWS's IMDS and EKS Pod Identity
 * over IPv6 (fd00:ec2::254, fd00:ec2::23), GCP's metadata over IPv6 (fd20:ce::254), Alibaba's
 * (100.100.100.200, in 100.64/10), Azure's WireServer (168.63.129.16), and deprecated site-local IPv6
 * (fec0::/10).
 */
const NEVER = subnets(
  '127.0.0.0/8',
  '0.0.0.0/8',
  '::1/128',
  '::/128',
  '169.254.0.0/16',
  'fe80::/10',
  'fec0::/10',
  'fd00:ec2::254/128',
  'fd00:ec2::23/128',
  'fd20:ce::254/128',
  '100.100.100.200/32',
  '168.63.129.16/32',
);

/** Never either: not unicast on the Internet (multicast, reserved, benchmarking, IETF protocol assignments),
 * or IPv4 in IPv6 the server cannot see into (Teredo, local-use NAT64). */
const RESERVED = subnets(
  '224.0.0.0/4',
  '240.0.0.0/4',
  '198.18.0.0/15',
  '192.0.0.0/24',
  'ff00::/8',
  '2001::/32',
  '64:ff9b:1::/48',
);

const LOOPBACK_BLOCK = subnets('127.0.0.0/8', '::1/128');

/** Private networks (RFC 1918, shared address space, unique local): only for hosts an allow-list names. */
const PRIVATE = subnets('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7');

/**
 * Why a webhook may not go to this address, or null. Never loopback (but in lab mode, for http to a loopback
 * host), link-local, unspecified or cloud metadata (NEVER: no allow-list opens them); private networks only
 * when PAKAWAAZ_CHAT_BOT_WEBHOOK_HOSTS is set (its hosts are the operator's to vouch for). Checked on the
 * literal at registration and, for a name, on the address it resolves to when the server connects
 * (webhook-post.ts).
 */
export function addressProblem(
  address: string,
  policy: { loopback: boolean; privateNetworks: boolean },
): string | null {
  const family = isIP(address);
  if (!family) return 'not an address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (NEVER.check(address, type) && !(policy.loopback && LOOPBACK_BLOCK.check(address, type)))
    return 'a loopback, link-local or cloud metadata address';
  if (RESERVED.check(address, type)) return 'a multicast or reserved address';
  if (!policy.privateNetworks && PRIVATE.check(address, type))
    return 'a private address (name the host in PAKAWAAZ_CHAT_BOT_WEBHOOK_HOSTS)';
  const v4 = family === 6 ? embeddedIpv4(address) : null;
  return v4 ? addressProblem(v4, policy) : null;
}

/** The 16 bytes of an IPv6 literal (`isIP` said it is one; a trailing dotted quad allowed). */
function ipv6Bytes(address: string): number[] {
  let a = address.split('%')[0]!;
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (quad) {
    const [w, x, y, z] = quad.slice(1).map(Number) as [number, number, number, number];
    a = `${a.slice(0, quad.index)}${((w << 8) | x).toString(16)}:${((y << 8) | z).toString(16)}`;
  }
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 255]);
}

/**
 * The IPv4 address an IPv6 one carries, to be checked in turn: NAT64 (64:ff9b::/96), IPv4-compatible
 * (::a.b.c.d), -mapped (::ffff:a.b.c.d), -translated (::ffff:0:a.b.c.d), 6to4 (2002::/16); else null.
 */
export function embeddedIpv4(address: string): string | null {
  const b = ipv6Bytes(address);
  const v4 = (at: number) => b.slice(at, at + 4).join('.');
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (b[0] === 0x20 && b[1] === 0x02) return v4(2);
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12)) return v4(12);
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4(12);
  if (zero(0, 12) && b[12] !== 0) return v4(12); // not ::, ::1 (checked as themselves)
  if (zero(0, 8) && b[8] === 0xff && b[9] === 0xff && zero(10, 12)) return v4(12);
  return null;
}

/**
 * A DNS name with its trailing dot (`localhost.`, absolute) is the same name without it: it is checked as
 * that name (so `localhost.` is loopback, as the connect-time lookup finds), then refused — one spelling per
 * host, so the allow-list and the certificate's name compare with what is connected to.
 */
function hostProblem(hostname: string, allowed: readonly string[]): string | null {
  const host = hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.+$/, '');
  const family = isIP(host);
  if (family) {
    const problem = addressProblem(host, { loopback: false, privateNetworks: allowed.length > 0 });
    if (problem) return problem;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return 'a loopback address';
  if (allowed.length && !allowed.some((a) => (a.startsWith('.') ? host.endsWith(a) : host === a)))
    return 'a host not in PAKAWAAZ_CHAT_BOT_WEBHOOK_HOSTS';
  if (hostname.endsWith('.')) return 'a host name ending in a dot (drop the dot)';
  return null;
}

/**
 * A webhook URL the server will call: https (no credentials in it) to an allowed host, or http to loopback in
 * lab mode.
 */
export function webhookUrlProblem(
  raw: string,
  loopbackHttp: boolean,
  allowedHosts: readonly string[] = [],
): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (raw.length > 2048) return 'longer than 2048 characters';
  if (url.username || url.password) return 'credentials in the URL';
  if (url.hash) return 'a fragment';
  if (url.protocol === 'https:') return hostProblem(url.hostname, allowedHosts);
  if (url.protocol === 'http:' && loopbackHttp && LOOPBACK.has(url.hostname)) return null;
  return loopbackHttp ? 'not https (http only to a loopback address)' : 'not https';
}

/**
 * A webhook URL without its query string or credentials, either of which may carry the receiver's secret
 * (`?code=…`): what the audit log keeps and what a role below chat-admin sees. The path stays: it is how an
 * operator tells two webhooks of one host apart.
 */
export function redactedWebhookUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?[redacted]' : ''}`;
  } catch {
    return '[not a URL]';
  }
}
