/** How long a node waits for the others to say which of its away devices they hold before pushing the rest. */
export const ANSWER_WAIT_MS = 1500;
/** Most asks waiting at once on a node; beyond, a new one is not opened and its devices are pushed at once. */
export const MAX_OPEN_ASKS = 10_000;

type OpenAsk = { readonly away: Set<string>; readonly until: number };

/**
 * Cluster presence, asked per wake (pure; time is passed in). A node that queues for devices not connected to
 * it relays the wake with an ask id; every node holding some of those devices answers with them; the devices
 * nobody claimed within ANSWER_WAIT_MS are pushed "check in". Nothing is kept between asks: a node that died,
 * is slow, or has just started simply does not answer, and its devices are pushed (when unsure, push).
 */
export class HeldAsks {
  private readonly open = new Map<string, OpenAsk>();

  get size(): number {
    return this.open.size;
  }

  /** Opens an ask for these away devices; false (nothing opened: push them now) when too many are open. */
  ask(id: string, deviceIds: readonly string[], now: number): boolean {
    if (this.open.size >= MAX_OPEN_ASKS || this.open.has(id)) return false;
    this.open.set(id, { away: new Set(deviceIds), until: now + ANSWER_WAIT_MS });
    return true;
  }

  /**
   * Another node holds these devices of an ask: they will not be pushed. 'claimed' when every device of the
   * ask is now held (it is closed: nothing to push); 'late' when the ask is not open (already settled, or its
   * wait is over though its timer has not run yet: the answer came too late and changes nothing; or it was
   * never ours).
   */
  held(id: string, deviceIds: readonly string[], now: number): 'open' | 'claimed' | 'late' {
    const ask = this.open.get(id);
    if (!ask || ask.until < now) return 'late';
    for (const d of deviceIds) ask.away.delete(d);
    if (ask.away.size > 0) return 'open';
    this.open.delete(id);
    return 'claimed';
  }

  /** Closes the asks whose wait is over: for each, the devices no node claimed (to push). */
  due(now: number): [id: string, push: string[]][] {
    const out: [string, string[]][] = [];
    for (const [id, ask] of this.open)
      if (ask.until <= now) {
        this.open.delete(id);
        out.push([id, [...ask.away]]);
      }
    return out;
  }

  /** Closes every open ask (the node stops): every device not claimed yet is pushed. */
  drain(): [id: string, push: string[]][] {
    const out = [...this.open].map(([id, ask]): [string, string[]] => [id, [...ask.away]]);
    this.open.clear();
    return out;
  }
}
