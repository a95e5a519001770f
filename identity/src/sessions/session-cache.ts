import type { SessionClock } from './session-policy.js';
import { sessionEnded } from './session-policy.js';

/**
 * Per-node memory of session liveness, so that verifying an access token costs no database round trip
 * while revocation still takes effect at once: a revocation on this node updates the entry immediately; other
 * nodes re-read a session from the database at most `recheckMs` after they last did (the bound on how long a
 * revoked session lives on elsewhere in a cluster, and a DPoP binding made elsewhere takes to be seen). Bounded in size: the oldest entries are evicted first.
 */
export type SessionState = SessionClock & {
  revoked: boolean;
  /** The desktop key the session is bound to (RFC 9449 §5), if it is. */
  dpopJkt?: string | null;
};
type Entry = { state: SessionState; checkedAt: number; lastSeenWrittenAt: number };

export type SessionCacheOptions = {
  load: (sid: string) => Promise<SessionState | null>;
  /** Persists activity (idle timeout) — called at most once per `touchEveryMs` per session. */
  touch: (sid: string, at: Date) => Promise<void>;
  recheckMs?: number;
  touchEveryMs?: number;
  maxEntries?: number;
};

export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly recheckMs: number;
  private readonly touchEveryMs: number;
  private readonly maxEntries: number;

  constructor(private readonly options: SessionCacheOptions) {
    this.recheckMs = options.recheckMs ?? 5_000;
    this.touchEveryMs = options.touchEveryMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  /** True while the session is usable at `now`; records the activity for the idle timeout. */
  async alive(sid: string, now: Date): Promise<boolean> {
    return (await this.live(sid, now)) !== null;
  }

  /** The session's state while it is usable at `now`, else null; records the activity for the idle timeout. */
  async live(sid: string, now: Date): Promise<SessionState | null> {
    let entry = this.entries.get(sid);
    if (!entry || (!entry.state.revoked && now.getTime() - entry.checkedAt > this.recheckMs)) {
      const state = await this.options.load(sid);
      if (!state) {
        this.entries.delete(sid);
        return null;
      }
      // The database's last-seen lags ours by up to touchEveryMs: keep the newer one.
      if (entry && entry.state.lastSeenAt > state.lastSeenAt) state.lastSeenAt = entry.state.lastSeenAt;
      const lastSeenWrittenAt = entry?.lastSeenWrittenAt ?? state.lastSeenAt.getTime();
      entry = { state, checkedAt: now.getTime(), lastSeenWrittenAt };
      this.set(sid, entry);
    }
    if (entry.state.revoked || sessionEnded(entry.state, now)) return null;
    entry.state.lastSeenAt = now;
    if (now.getTime() - entry.lastSeenWrittenAt >= this.touchEveryMs) {
      entry.lastSeenWrittenAt = now.getTime();
      await this.options.touch(sid, now);
    }
    return entry.state;
  }

  revoked(sid: string): void {
    const entry = this.entries.get(sid);
    if (entry) entry.state.revoked = true;
  }

  forget(sid: string): void {
    this.entries.delete(sid);
  }

  get size(): number {
    return this.entries.size;
  }

  private set(sid: string, entry: Entry): void {
    this.entries.delete(sid);
    this.entries.set(sid, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
