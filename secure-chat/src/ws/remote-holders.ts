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
    for (const d of deviceIds)
      if (this.held.size < MAX_REMEMBERED || this.held.has(d)) this.held.set(d, { node, until });
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

  private expire(now: number): void {
    for (const [d, h] of this.held) if (h.until <= now) this.held.delete(d);
  }
}

/**
 * The holder's side: the devices this node answered it holds, and when (pure). When such a device's last socket
 * here closes within REMEMBER_HELD_MS of the answer, the nodes that may remember it here are told; for the
 * others nobody remembers anything, and nothing is sent. An answer is remembered only if it came within its
 * ask's ANSWER_WAIT_MS (a late one is not), so the asker's memory ends at most that much later than the
 * answer's time here: the margin. One entry per device connected here at most.
 */
export class AnsweredHeld {
  private readonly at = new Map<string, number>();

  answered(deviceIds: readonly string[], now: number): void {
    for (const d of deviceIds) this.at.set(d, now);
  }

  /** The device is no longer here: true when another node may still remember it here. */
  left(deviceId: string, now: number): boolean {
    const at = this.at.get(deviceId);
    this.at.delete(deviceId);
    return at !== undefined && at + REMEMBER_HELD_MS + ANSWER_WAIT_MS > now;
  }

  clear(): void {
    this.at.clear();
  }
}
