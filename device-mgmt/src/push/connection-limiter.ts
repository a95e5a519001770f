/**
 * Token buckets for connection attempts: one per source address and one for the whole broker. A reconnect
 * storm (the broker restarted, a cell came back) is refused at accept time, before the TLS handshake, which is
 * the expensive part; the handsets' jittered back-off then spreads them out. Pure: time is a parameter.
 */
export type ConnectionLimits = {
  /** Sustained new connections per second, all addresses together, and the burst above it. */
  readonly globalPerSecond: number;
  readonly globalBurst: number;
  /** The same for one source address (handsets behind one NAT share an address: keep it generous). */
  readonly perAddressPerSecond: number;
  readonly perAddressBurst: number;
};

export type ConnectionVerdict = 'accept' | 'address' | 'global';

type Bucket = { tokens: number; at: number };

/** Addresses tracked at most; full buckets are forgotten first (a forgotten address starts full anyway). */
const MAX_TRACKED = 100_000;

export class ConnectionLimiter {
  private readonly global: Bucket;
  private readonly addresses = new Map<string, Bucket>();

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.global = { tokens: limits.globalBurst, at: now() };
  }

  /** Takes a token for a connection from `address`, or says which bucket is empty. */
  take(address: string): ConnectionVerdict {
    const t = this.now();
    const { perAddressPerSecond, perAddressBurst, globalPerSecond, globalBurst } = this.limits;
    const own = this.addresses.get(address) ?? { tokens: perAddressBurst, at: t };
    refill(own, t, perAddressPerSecond, perAddressBurst);
    refill(this.global, t, globalPerSecond, globalBurst);
    if (own.tokens < 1) return 'address';
    if (this.global.tokens < 1) return 'global';
    own.tokens -= 1;
    this.global.tokens -= 1;
    if (!this.addresses.has(address)) {
      if (this.addresses.size >= MAX_TRACKED) this.forgetFull(t);
      this.addresses.set(address, own);
    }
    return 'accept';
  }

  tracked(): number {
    return this.addresses.size;
  }

  private forgetFull(t: number): void {
    const { perAddressPerSecond, perAddressBurst } = this.limits;
    for (const [address, b] of this.addresses) {
      refill(b, t, perAddressPerSecond, perAddressBurst);
      if (b.tokens >= perAddressBurst) this.addresses.delete(address);
    }
    // Still full of busy addresses: forget the oldest entries rather than grow without bound.
    for (const address of this.addresses.keys()) {
      if (this.addresses.size < MAX_TRACKED) break;
      this.addresses.delete(address);
    }
  }
}

function refill(b: Bucket, t: number, perSecond: number, burst: number): void {
  b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * perSecond);
  b.at = t;
}
