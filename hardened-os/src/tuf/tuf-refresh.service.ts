import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AuditService, EVENT_BUS, LOGGER, type EventBus, type Logger } from '@pakawaaz/platform';
import { offlineExpiring, raiseStaleAlarm } from './tuf-alarm.js';
import { PublicationConflict } from './tuf-metadata.repository.js';
import { TufPublisher } from './tuf-publisher.js';
import { DEFAULT_LIFETIME_MS, resignSnapshot, signTimestamp } from './tuf-repository.js';
import { requireRoot } from './tuf-state.js';

/** How often the timer looks at the timestamp; it re-signs once half its lifetime has passed. */
export const REFRESH_CHECK_MS = 5 * 60_000;
/** The offline-expiry alarm: once a day cluster-wide, per role and expiry. */
const OFFLINE_ALARM_EVERY_MS = 86_400_000;
/** The refresh-failure alarm: once per check cluster-wide (every node's timer fails alike). */
const REFRESH_ALARM_EVERY_MS = REFRESH_CHECK_MS - 30_000;

/**
 * Keeps the online metadata fresh (every node's timer; also at start-up): re-signs snapshot once half its
 * lifetime has passed (and timestamp over it), else timestamp once half of its own has. Two nodes due at
 * once both sign; the version key lets one commit, the other re-reads and finds nothing left to do. When it
 * cannot re-sign, it raises the alarm: audit entry, event and error log — handsets stop updating when either
 * expires. Targets and root need the offline keys: the server only raises the alarm, from 14 days before
 * they expire. Alarms are claimed in the database, so a cluster raises each once, not once per node.
 */
@Injectable()
export class TufRefreshService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly publisher: TufPublisher,
    private readonly audit: AuditService,
    @Optional() @Inject(EVENT_BUS) private readonly bus?: EventBus,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.refreshTimestamp(new Date()), REFRESH_CHECK_MS);
    this.timer.unref();
    // A node that was down past the refresh point re-signs at once rather than at the first tick.
    void this.refreshTimestamp(new Date());
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Whether this call published (false: nothing due, another node did it first, or it failed and alarmed). */
  async refreshTimestamp(now: Date): Promise<boolean> {
    // What is being re-signed, for the alarm.
    const doing: Doing = { role: 'timestamp', expires: 'unknown' };
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.publisher.locked(() => this.refreshOnce(now, doing));
        } catch (err) {
          // Another node published this version first: read again (its refresh usually leaves nothing due).
          if (!(err instanceof PublicationConflict) || attempt >= 2) throw err;
        }
      }
    } catch (err) {
      await this.alarm(
        `refresh:${doing.role}`,
        REFRESH_ALARM_EVERY_MS,
        now,
        doing.expires,
        err instanceof Error ? err.message : String(err),
        doing.role,
      );
      return false;
    }
  }

  private async refreshOnce(now: Date, doing: Doing): Promise<boolean> {
    const state = await this.publisher.state();
    for (const d of offlineExpiring(state, now))
      await this.alarm(
        `offline:${d.role}:${d.expires}`,
        OFFLINE_ALARM_EVERY_MS,
        now,
        d.expires,
        d.reason,
        d.role,
      );
    if (!state.timestamp || !state.snapshot || !state.snapshotBytes) return false;
    const halfLeft = (r: 'snapshot' | 'timestamp', e: string) =>
      Date.parse(e) - now.getTime() <= DEFAULT_LIFETIME_MS[r] / 2;
    const root = requireRoot(state);
    if (state.targets && halfLeft('snapshot', state.snapshot.signed.expires)) {
      doing.role = 'snapshot';
      doing.expires = state.snapshot.signed.expires;
      const compromised = await this.publisher.compromised();
      const out = await resignSnapshot({
        targetsVersion: state.targets.signed.version,
        snapshotVersion: state.snapshot.signed.version + 1,
        timestampVersion: state.timestamp.signed.version + 1,
        now,
        snapshotSigners: [await this.publisher.keys.usable('snapshot', root, compromised)],
        timestampSigners: [await this.publisher.keys.usable('timestamp', root, compromised)],
      });
      await this.publisher.publishFiles(out.files);
      return true;
    }
    doing.expires = state.timestamp.signed.expires;
    if (!halfLeft('timestamp', doing.expires)) return false;
    const signer = await this.publisher.keys.usable('timestamp', root, await this.publisher.compromised());
    const { bytes } = await signTimestamp({
      version: state.timestamp.signed.version + 1,
      snapshotVersion: state.snapshot.signed.version,
      snapshotBytes: state.snapshotBytes,
      now,
      signers: [signer],
    });
    await this.publisher.publishFiles(new Map([['timestamp.json', bytes]]));
    return true;
  }

  /** Raises the alarm when this node claims it (once per `everyMs` cluster-wide); never throws. */
  private async alarm(
    key: string,
    everyMs: number,
    now: Date,
    expires: string,
    reason: string,
    role: 'timestamp' | 'snapshot' | 'targets' | 'root',
  ): Promise<void> {
    const claimed = await this.publisher.repo.claimAlarm(key, now, everyMs).catch((err: unknown) => {
      // The database is what failed: every node raising it beats none.
      this.logger?.error({ err }, 'claiming a TUF alarm failed: raising it from this node');
      return true;
    });
    if (!claimed) return;
    await raiseStaleAlarm({ audit: this.audit, bus: this.bus, logger: this.logger }, expires, reason, role);
  }
}

type Doing = { role: 'timestamp' | 'snapshot'; expires: string };
