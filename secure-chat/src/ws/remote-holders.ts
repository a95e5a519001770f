import { ANSWER_WAIT_MS } from './held-asks.js';

/**
 * How long a node trusts another's answer that it holds a device (cluster presence): within it, wakes for the
 * device ask nothing. A holder says sooner when the device leaves it (DevicesReleased); this bounds what a
 * holder that died without saying so can cost: a push missed for a device offline meanwhile.
 */
export const REMEMBER_HELD_MS = 10_000;
/** Most devices remembered at once; beyond, answers are not remembered (those devices are asked about). */
export const MAX_REMEMBERED = 100_000;

type Held = { readonly node: string; readonly until: number };

/**
 * Which other node holds which device, as that node last answered (pure; time is passed in). A wake for a
 * device remembered here asks nothing: it names the node presumed to hold it, which pushes the device itself if
 * it no longer does. Forgotten when the holder releases the device (its last socket there closed), when the
 * holder releases everything (it stops, or was cut off from NATS and may have lost its releases), when this node
 * was cut off (it may have missed releases), and after REMEMBER_HELD_MS in any case.
 */
export class RemoteHolders {
  private readonly held = new Map<string, Held>();

  get size(): number {
    return this.held.size;
  }

  /** Node `node` answered that it holds these devices. */
  learn(node: string, deviceIds: readonly string[], now: number): void {
    if (this.held.size + deviceIds.length > MAX_REMEMBERED) this.expire(now);
    const until = now + REMEMBER_HELD_MS;
    for (const d of deviceIds) {
      // Deleted first, so the map stays in order of expiry (a Map keeps insertion order): expire() stops early.
      if (this.held.delete(d) || this.held.size < MAX_REMEMBERED) this.held.set(d, { node, until });
    }
  }

  /** Node `node` no longer holds these devices (all of them, without a list): forget what it answered. */
  released(node: string, deviceIds?: readonly string[]): void {
    if (!deviceIds) {
      for (const [d, h] of this.held) if (h.node === node) this.held.delete(d);
      return;
    }
    for (const d of deviceIds) if (this.held.get(d)?.node === node) this.held.delete(d);
  }

  /** This node may have missed releases: forget everything. */
  forget(): void {
    this.held.clear();
  }

  /** These devices by the node presumed to hold them (remembered, not expired); `unknown`: the rest, to ask about. */
  split(deviceIds: readonly string[], now: number): { presumed: Map<string, string>; unknown: string[] } {
    const presumed = new Map<string, string>();
    const unknown: string[] = [];
    for (const d of deviceIds) {
      const h = this.held.get(d);
      if (h && h.until > now) presumed.set(d, h.node);
      else {
        if (h) this.held.delete(d);
        unknown.push(d);
      }
    }
    return { presumed, unknown };
  }

  /** Forgets the expired entries: the oldest first, up to the first that is not (learn keeps them in order). */
  private expire(now: number): void {
    for (const [d, h] of this.held) {
      if (h.until > now) return;
      this.held.delete(d);
    }
  }
}

/** How long after an answer the asker may still remember it: its memory, and the ask's wait as margin. */
const REMEMBERED_FOR_MS = REMEMBER_HELD_MS + ANSWER_WAIT_MS;

/**
 * The holder's side: the devices this node answered it holds, and when (pure). When such a device's last socket
 * here closes within REMEMBERED_FOR_MS of the answer, the nodes that may remember it here are told; for the
 * others nobody remembers anything, and nothing is sent. An answer is remembered only if it came within its
 * ask's ANSWER_WAIT_MS (a late one is not), so the asker's memory ends at most that much later than the
 * answer's time here: the margin. One entry per device connected here at most.
 *
 * And the devices that left while remembered elsewhere, until this node has heard from NATS after the
 * memory of them ran out (`heard`: any message it receives, its own included, proves wakes for it were
 * arriving then). A cut — noticed at once or only when pings go unanswered, minutes later — loses the wakes
 * presuming them here; when this node is back, it pushes those devices (`leftLately`).
 */
export class AnsweredHeld {
  private readonly at = new Map<string, number>();
  /** Devices that left while remembered elsewhere, in order of leaving, not yet proven past. */
  private readonly left_ = new Map<string, number>();
  private heardAt = Number.NEGATIVE_INFINITY;

  answered(deviceIds: readonly string[], now: number): void {
    for (const d of deviceIds) this.at.set(d, now);
  }

  /** A message came from NATS now: wakes for this node were arriving. */
  heard(now: number): void {
    this.heardAt = now;
  }

  /** The device is no longer here: true when another node may still remember it here. */
  left(deviceId: string, now: number): boolean {
    const at = this.at.get(deviceId);
    this.at.delete(deviceId);
    this.prune();
    if (at === undefined || at + REMEMBERED_FOR_MS <= now) return false;
    this.left_.delete(deviceId);
    this.left_.set(deviceId, now);
    // Bounded: a node cut off for long with devices leaving it keeps the latest MAX_REMEMBERED.
    if (this.left_.size > MAX_REMEMBERED) this.left_.delete(this.left_.keys().next().value!);
    return true;
  }

  /**
   * The devices that left while some node may have remembered them here and no message since shows the wakes
   * presuming them here arrived; forgets everything: this node is back on NATS after a cut.
   */
  leftLately(): string[] {
    this.prune();
    const out = [...this.left_.keys()];
    this.at.clear();
    this.left_.clear();
    return out;
  }

  /** Drops the devices whose memory elsewhere ran out before a message was last heard. */
  private prune(): void {
    for (const [d, t] of this.left_) {
      if (t + REMEMBERED_FOR_MS > this.heardAt) return;
      this.left_.delete(d);
    }
  }
}
