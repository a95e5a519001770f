import net from 'node:net';

/**
 * Token buckets for connection attempts: one per source and one for the whole broker. A reconnect storm (the
 * broker restarted, a cell came back) is refused at accept time, before the TLS handshake, which is the
 * expensive part; the handsets' jittered back-off then spreads them out. Pure: time is a parameter.
 *
 * The global bucket is the broker's connection budget: it holds at most `globalBurst` tokens, every accepted
 * connection drains one, and it refills at `globalPerSecond` — so however many addresses a storm comes from,
 * no more than burst + rate·t connections reach the TLS handshake in t seconds. A source is an IPv4 address
 * (IPv4-mapped IPv6 included) or an IPv6 /64: one subscriber or host owns a whole /64 and can pick any address
 * in it, so a bucket per IPv6 address would limit nothing.
 */
export type ConnectionLimits = {
  /** Sustained new connections per second, all sources together, and the burst above it. */
  readonly globalPerSecond: number;
  readonly globalBurst: number;
  /** The same for one source (handsets behind one NAT share an address: keep it generous). */
  readonly perAddressPerSecond: number;
  readonly perAddressBurst: number;
};

export type ConnectionVerdict = 'accept' | 'address' | 'global';

type Bucket = { tokens: number; at: number };

/** Sources tracked at most; full buckets are forgotten first (a forgotten source starts full anyway). */
const MAX_TRACKED = 100_000;
/** When the table is full of busy sources, the oldest are dropped down to this many (not one per connection). */
const TRACKED_AFTER_EVICTION = 90_000;

/**
 * The bucket key of a remote address: the IPv4 address (also when it comes IPv4-mapped, `::ffff:a.b.c.d`, as
 * on a dual-stack listener), or the IPv6 /64 prefix as `xxxx:xxxx:xxxx:xxxx::/64`. Anything else is its own key.
 */
export function sourceKey(address: string): string {
  const plain = address.replace(/%.*$/, ''); // a zone id (fe80::1%eth0) names no other host
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped) return mapped[1]!;
  if (net.isIPv4(plain) || !net.isIPv6(plain)) return plain;
  const groups = expandIpv6(plain);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, lower-case hex without leading zeros (an embedded IPv4 tail too). */
function expandIpv6(address: string): string[] {
  let a = address.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (v4) {
    const [b0, b1, b2, b3] = v4.slice(1).map(Number) as [number, number, number, number];
    a = `${a.slice(0, v4.index)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16).toString(16));
}

export class ConnectionLimiter {
  private readonly global: Bucket;
  private readonly sources = new Map<string, Bucket>();

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.global = { tokens: limits.globalBurst, at: now() };
  }

  /** Takes a token for a connection from `address`, or says which bucket is empty. */
  take(address: string): ConnectionVerdict {
    const t = this.now();
    const key = sourceKey(address);
    const { perAddressPerSecond, perAddressBurst, globalPerSecond, globalBurst } = this.limits;
    const own = this.sources.get(key) ?? { tokens: perAddressBurst, at: t };
    refill(own, t, perAddressPerSecond, perAddressBurst);
    refill(this.global, t, globalPerSecond, globalBurst);
    if (own.tokens < 1) return 'address';
    if (this.global.tokens < 1) return 'global';
    own.tokens -= 1;
    this.global.tokens -= 1;
    if (!this.sources.has(key)) {
      if (this.sources.size >= MAX_TRACKED) this.forget(t);
      this.sources.set(key, own);
    }
    return 'accept';
  }

  tracked(): number {
    return this.sources.size;
  }

  /** Tokens left in the global budget now (for tests and metrics). */
  budget(): number {
    refill(this.global, this.now(), this.limits.globalPerSecond, this.limits.globalBurst);
    return this.global.tokens;
  }

  private forget(t: number): void {
    const { perAddressPerSecond, perAddressBurst } = this.limits;
    for (const [key, b] of this.sources) {
      refill(b, t, perAddressPerSecond, perAddressBurst);
      if (b.tokens >= perAddressBurst) this.sources.delete(key);
    }
    // Still full of busy sources: drop the oldest entries in one go, so the next new source does not scan
    // the whole table again (a scan per connection would be the storm's lever).
    for (const key of this.sources.keys()) {
      if (this.sources.size <= TRACKED_AFTER_EVICTION) break;
      this.sources.delete(key);
    }
  }
}

function refill(b: Bucket, t: number, perSecond: number, burst: number): void {
  b.tokens = Math.min(burst, b.tokens + (Math.max(0, t - b.at) / 1000) * perSecond);
  b.at = Math.max(b.at, t);
}
