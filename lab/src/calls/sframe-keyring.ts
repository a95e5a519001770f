// A call participant's SFrame keys over MLS epochs (RFC 9605 §5.2). Pure data in, no ts-mls: the browser's
// media worker holds one of these, fed with the plain `SFrameEpoch` the MLS side computes (mls-sframe.ts).
import {
  deriveKeySalt,
  SFRAME_AES_128_GCM,
  SFrameError,
  sframeDecrypt,
  sframeEncrypt,
  type SFrameKey,
  type SFrameSuite,
} from './sframe.js';

/** E of §5.2: low-order epoch bits carried in the KID; at most 2^E epochs are live at once. */
export const SFRAME_EPOCH_BITS = 4;

/** One MLS epoch as SFrame needs it: the exported base key and who holds which leaf. */
export type SFrameEpoch = {
  epoch: bigint;
  /** `MLS-Exporter("SFrame 1.0 Base Key", "", AEAD.Nk)` of this epoch. */
  baseKey: Uint8Array;
  /** The leaf indices of the epoch's members (the tree's occupied leaves). */
  leaves: number[];
  /** The tree's width in leaves: S is the smallest value with `leafCount <= 1 << S`. */
  leafCount: number;
  ownLeaf: number;
};

/** S of §5.2: bits for a member index, so that every leaf index of the tree fits. */
export function indexBits(leafCount: number): number {
  let s = 0;
  while (1 << s < leafCount) s++;
  return s;
}

/** §5.2: `KID = (context << (S + E)) + (sender_index << E) + (epoch % (1 << E))`. */
export function mlsKid(leaf: number, epoch: bigint, s: number, e = SFRAME_EPOCH_BITS, context = 0n): bigint {
  if (leaf < 0 || BigInt(leaf) >= 1n << BigInt(s))
    throw new SFrameError('sframe_range', 'leaf index does not fit in S bits');
  return (context << BigInt(s + e)) + (BigInt(leaf) << BigInt(e)) + (epoch % (1n << BigInt(e)));
}

type Live = { epoch: bigint; send: SFrameKey; receive: Map<bigint, SFrameKey>; retireAt: number | null };

/** Counters below the highest a KID has authenticated that a receiver still accepts (frames reordered). */
export const SFRAME_REPLAY_WINDOW = 128n;

/** Per receive KID: the highest counter authenticated, and which of the window below it were seen (bit i: max - i). */
type Seen = { max: bigint; bits: bigint };

/**
 * The first counter of a send key: random in [0, 2^62). A send key is a function of (epoch, leaf) only, and the
 * same device may send under it again (a rejoin, a reload, a second tab in the same epoch): a counter restarted
 * at 0 would repeat AES-GCM nonces under one key. A random 62-bit start makes two such runs overlap with
 * probability about 2n/2^62 for n frames (RFC 9605 §4.4.2 asks only that a counter never repeat under a key).
 */
export function randomCounterStart(): bigint {
  const b = crypto.getRandomValues(new Uint8Array(8));
  b[0]! &= 0x3f;
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

export type KeyRingOptions = {
  suite?: SFrameSuite;
  /** How long a replaced epoch's keys still decrypt (frames in flight across a membership change). */
  graceMs?: number;
  now?: () => number;
};

/**
 * The current epoch encrypts (its own key only: RFC 9605 §4.4.1, a key encrypts or decrypts, never both);
 * the current and, for `graceMs`, replaced epochs decrypt. An epoch whose low E bits equal a newer one's is
 * dropped at once (§5.2 rollover).
 */
export class SFrameKeyRing {
  private readonly suite: SFrameSuite;
  private readonly graceMs: number;
  private readonly now: () => number;
  private readonly epochs = new Map<bigint, Live>();
  private current: Live | null = null;
  private ctr = 0n;
  /** The newest epoch claimed by setEpoch, set before its keys are derived (a second call for it is ignored). */
  private claimed: bigint | null = null;
  /** Bumped by clear(): a setEpoch still deriving when the ring was cleared installs nothing. */
  private generation = 0;
  private readonly seen = new Map<bigint, Seen>();
  /** Counters, and the KID of the last frame decrypted (-1 before any): what a call's UI and tests read. */
  readonly stats = { encrypted: 0, decrypted: 0, unknownKid: 0, authFailed: 0, replayed: 0, lastKid: -1 };

  constructor(o: KeyRingOptions = {}) {
    this.suite = o.suite ?? SFRAME_AES_128_GCM;
    this.graceMs = o.graceMs ?? 10_000;
    this.now = o.now ?? (() => Date.now());
  }

  get epoch(): bigint | null {
    return this.current?.epoch ?? null;
  }

  async setEpoch(e: SFrameEpoch): Promise<void> {
    if (e.baseKey.length !== this.suite.nk)
      throw new SFrameError('sframe_range', 'base key of the wrong size');
    if (this.claimed !== null && e.epoch <= this.claimed) return;
    this.claimed = e.epoch;
    const generation = this.generation;
    const s = indexBits(e.leafCount);
    const receive = new Map<bigint, SFrameKey>();
    for (const leaf of e.leaves) {
      if (leaf === e.ownLeaf) continue;
      const kid = mlsKid(leaf, e.epoch, s);
      receive.set(kid, await deriveKeySalt(this.suite, kid, e.baseKey));
    }
    const send = await deriveKeySalt(this.suite, mlsKid(e.ownLeaf, e.epoch, s), e.baseKey);
    if (generation !== this.generation) return;
    const slot = e.epoch % (1n << BigInt(SFRAME_EPOCH_BITS));
    for (const [old, live] of this.epochs)
      if (old % (1n << BigInt(SFRAME_EPOCH_BITS)) === slot) this.forget(old);
      else live.retireAt ??= this.now() + this.graceMs;
    const live: Live = { epoch: e.epoch, send, receive, retireAt: null };
    this.epochs.set(e.epoch, live);
    this.current = live;
    this.ctr = randomCounterStart();
  }

  /** Drops every key: the participant left the call or was removed from the group. */
  clear(): void {
    this.epochs.clear();
    this.seen.clear();
    this.current = null;
    this.claimed = null;
    this.generation++;
  }

  private forget(epoch: bigint): void {
    const live = this.epochs.get(epoch);
    if (live) for (const kid of live.receive.keys()) this.seen.delete(kid);
    this.epochs.delete(epoch);
  }

  /**
   * RFC 9605 §9.3: a counter a KID already authenticated, or one older than the window, is a replay (the SFU
   * re-sending an earlier frame). Called only after the frame authenticated, so forged frames move nothing.
   */
  private fresh(kid: bigint, ctr: bigint): boolean {
    const s = this.seen.get(kid);
    if (!s) {
      this.seen.set(kid, { max: ctr, bits: 1n });
      return true;
    }
    if (ctr > s.max) {
      const shift = ctr - s.max;
      s.bits =
        shift >= SFRAME_REPLAY_WINDOW ? 1n : ((s.bits << shift) | 1n) & ((1n << SFRAME_REPLAY_WINDOW) - 1n);
      s.max = ctr;
      return true;
    }
    const back = s.max - ctr;
    if (back >= SFRAME_REPLAY_WINDOW || (s.bits >> back) & 1n) return false;
    s.bits |= 1n << back;
    return true;
  }

  private keyFor(kid: bigint): SFrameKey | undefined {
    const now = this.now();
    for (const [epoch, live] of this.epochs) {
      if (live.retireAt !== null && live.retireAt <= now) {
        this.forget(epoch);
        continue;
      }
      const k = live.receive.get(kid);
      if (k) return k;
    }
    return undefined;
  }

  async encrypt(frame: Uint8Array, metadata?: Uint8Array): Promise<Uint8Array> {
    if (!this.current) throw new SFrameError('sframe_unknown_kid', 'no epoch key to encrypt with');
    const out = await sframeEncrypt(this.current.send, this.ctr++, frame, metadata);
    this.stats.encrypted++;
    return out;
  }

  /** The plaintext, or null when the frame is not for us (unknown KID), does not authenticate or is a replay (counted). */
  async decrypt(frame: Uint8Array, metadata?: Uint8Array): Promise<Uint8Array | null> {
    try {
      const { kid, ctr, plaintext } = await sframeDecrypt((k) => this.keyFor(k), frame, metadata);
      if (!this.fresh(kid, ctr)) {
        this.stats.replayed++;
        return null;
      }
      this.stats.decrypted++;
      this.stats.lastKid = Number(kid);
      return plaintext;
    } catch (err) {
      if (!(err instanceof SFrameError)) throw err;
      if (err.code === 'sframe_auth_failed') this.stats.authFailed++;
      else this.stats.unknownKid++;
      return null;
    }
  }
}
