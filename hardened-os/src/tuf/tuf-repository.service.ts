import { Inject, Injectable, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  AuditService,
  DATABASE,
  EVENT_BUS,
  KEYS,
  LOGGER,
  requireNational,
  type DatabaseHandle,
  type EventBus,
  type KeyService,
  type Logger,
  type Principal,
} from '@pakawaaz/platform';
import { HARDENED_OS_CONFIG, type HardenedOsConfig } from '../hardened-os.config.js';
import { hardenedOsError } from '../hardened-os.errors.js';
import { PAYLOAD_STORE } from '../payloads/payloads.service.js';
import type { PayloadStore } from '../payloads/payload-store.js';
import { RegistryRepository } from '../registry/registry.repository.js';
import { isDemoRoot } from './demo-keys.js';
import { KeyStatusFile } from './key-status-file.js';
import { offlineExpiring, raiseStaleAlarm } from './tuf-alarm.js';
import {
  checked,
  checkTargetsStored,
  parseUpload,
  refuseCompromised,
  refuseDemoRoot,
} from './tuf-import-checks.js';
import { MetadataStore } from './metadata-store.js';
import { targetOf } from './release-targets.js';
import { openOnlineSigners, type OnlineSigners } from './tuf-online-keys.js';
import type { TufSigner } from './tuf-keys.js';
import {
  checkKeyIds,
  isExpired,
  serializeMetadata,
  TufMetadataError,
  verifyRootRotation,
  verifyThreshold,
  type Envelope,
} from './tuf-metadata.js';
import type { TufRole } from './tuf-metadata.schema.js';
import { DEFAULT_LIFETIME_MS, publishOnline, resignSnapshot, signTimestamp } from './tuf-repository.js';
import { readPublished, requireRoot, type PublishedState } from './tuf-state.js';

/** Cluster-wide lock serialising publications (two nodes never sign the same version twice). */
const PUBLISH_LOCK = 0x74756670;
/** How often the timer looks at the timestamp; it re-signs once half its lifetime has passed. */
const REFRESH_CHECK_MS = 5 * 60_000;

const actorName = (by: Principal) => `${by.actor.type}:${by.actor.id}`;

/**
 * The TUF repository the handsets update from: imports root and targets signed offline, signs snapshot and
 * timestamp with the online keys, keeps timestamp fresh, and serves the files. National only.
 */
@Injectable()
export class TufRepositoryService implements OnModuleInit, OnApplicationShutdown {
  readonly store: MetadataStore;
  private readonly keyStatus: KeyStatusFile;
  private signers?: OnlineSigners;
  private timer?: NodeJS.Timeout;
  private lastOfflineAlarm = Number.NEGATIVE_INFINITY;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(HARDENED_OS_CONFIG) private readonly config: HardenedOsConfig,
    @Inject(PAYLOAD_STORE) private readonly payloads: PayloadStore,
    private readonly registry: RegistryRepository,
    private readonly audit: AuditService,
    @Inject(KEYS) private readonly keys: KeyService,
    @Optional() @Inject(EVENT_BUS) private readonly bus?: EventBus,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {
    this.store = new MetadataStore(config.tufDir);
    this.keyStatus = new KeyStatusFile(config.tufDir);
  }

  async onModuleInit(): Promise<void> {
    this.signers = await openOnlineSigners(this.keys, {
      timestamp: this.config.tufTimestampKeyFile,
      snapshot: this.config.tufSnapshotKeyFile,
    });
    await this.store.removeTemps();
    this.timer = setInterval(() => void this.refreshTimestamp(new Date()), REFRESH_CHECK_MS);
    this.timer.unref();
    // A node that was down past the refresh point re-signs at once rather than at the first tick.
    void this.refreshTimestamp(new Date());
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** The online keys' public halves: the signing room puts them in root. */
  onlineKeys(by: Principal) {
    requireNational(by);
    const s = this.online();
    return {
      timestamp: { keyid: s.timestamp.keyid, key: s.timestamp.public },
      snapshot: { keyid: s.snapshot.keyid, key: s.snapshot.public },
    };
  }

  async status(by: Principal) {
    requireNational(by);
    const state = await readPublished(this.store);
    const role = (e?: Envelope<TufRole>) =>
      e ? { version: e.signed.version, expires: e.signed.expires } : null;
    return {
      root: role(state.root),
      targets: role(state.targets),
      snapshot: role(state.snapshot),
      timestamp: role(state.timestamp),
      demoRoot: state.root ? isDemoRoot(state.root) : false,
      compromisedKeys: await this.compromised(),
    };
  }

  /** What the signing room signs: every stored payload as a target (the CLI writes it to a file). */
  async exportTargets(by: Principal) {
    requireNational(by);
    const rows = await this.registry.publishable();
    const targets = rows.map(targetOf).filter((t) => t !== undefined);
    const state = await readPublished(this.store);
    return {
      targets,
      skipped: rows.length - targets.length,
      currentVersion: state.targets?.signed.version ?? 0,
    };
  }

  async importRoot(body: unknown, by: Principal, requestId: string) {
    requireNational(by);
    const next = parseUpload('root', body);
    refuseDemoRoot(next, this.config.tufAllowDemoRoot === true);
    return this.locked(async () => {
      const state = await readPublished(this.store);
      checked(() => {
        checkKeyIds(next.signed);
        if (state.root) verifyRootRotation(state.root.signed, next);
        else if (next.signed.version !== 1)
          throw new TufMetadataError('version', 'the first root must be version 1');
        verifyThreshold(next, next.signed, 'root');
        if (isExpired(next.signed, new Date()))
          throw new TufMetadataError('expired', 'root metadata has expired');
      });
      refuseCompromised(next, 'root', next.signed, await this.compromised());
      // A root without the server's online keys would leave it unable to publish: refuse it up front.
      for (const role of ['timestamp', 'snapshot'] as const) {
        const keyid = this.online()[role].keyid;
        if (!next.signed.roles[role].keyids.includes(keyid))
          throw hardenedOsError(
            'tuf_key_refused',
            `Root must list the server's ${role} key ${keyid} (GET /api/v1/os/tuf/online-keys).`,
          );
      }
      const bytes = serializeMetadata(next);
      await this.store.publish(
        new Map([
          [`${next.signed.version}.root.json`, bytes],
          ['root.json', bytes],
        ]),
      );
      await this.record(by, 'hardened-os.tuf.root.imported', next, requestId);
      if (isDemoRoot(next))
        this.logger?.warn(
          { version: next.signed.version },
          'DEMO-ONLY TUF root imported: its root and targets keys sit in the data folder; never ship handsets trusting it',
        );
      // New online keys in the new root take effect with a fresh snapshot and timestamp.
      if (state.targets) await this.publish(state.targets, { ...state, root: next });
      return { version: next.signed.version, expires: next.signed.expires };
    });
  }

  async importTargets(body: unknown, by: Principal, requestId: string) {
    requireNational(by);
    const targets = parseUpload('targets', body);
    return this.locked(async () => {
      const state = await readPublished(this.store);
      if (!state.root) throw hardenedOsError('tuf_root_missing', 'Import root metadata before targets.');
      const root = state.root.signed;
      checked(() => {
        verifyThreshold(targets, root, 'targets');
        const current = state.targets?.signed.version ?? 0;
        if (targets.signed.version <= current)
          throw new TufMetadataError('version', `targets must be newer than version ${current}`);
        if (isExpired(targets.signed, new Date()))
          throw new TufMetadataError('expired', 'targets metadata has expired');
      });
      refuseCompromised(targets, 'targets', root, await this.compromised());
      await checkTargetsStored(targets, this.payloads);
      await this.publish(targets, state);
      await this.record(by, 'hardened-os.tuf.targets.published', targets, requestId);
      return { version: targets.signed.version, targets: Object.keys(targets.signed.targets).length };
    });
  }

  /** Marks a TUF key compromised: it is never used to sign again and its signatures stop counting. */
  async markCompromised(keyid: string, by: Principal, requestId: string) {
    requireNational(by);
    return this.locked(async () => {
      const list = await this.keyStatus.add(keyid);
      await this.audit.record({
        actor: by.actor,
        action: 'hardened-os.tuf.key.compromised',
        target: `tuf-key:${keyid}`,
        details: { keyid, by: actorName(by) },
        requestId,
      });
      return { compromisedKeys: list };
    });
  }

  /**
   * Keeps the online metadata fresh (the timer; also after a restart): re-signs snapshot once half its
   * lifetime has passed (and timestamp over it), else timestamp once half of its own has. When it cannot,
   * it raises the alarm: audit entry, event and error log — handsets stop updating when either expires.
   * Targets and root need the offline keys: the server only raises the alarm, once a day, from 14 days
   * before they expire.
   */
  async refreshTimestamp(now: Date): Promise<boolean> {
    let role: 'timestamp' | 'snapshot' = 'timestamp';
    let expires = 'unknown';
    try {
      return await this.locked(async () => {
        const state = await readPublished(this.store);
        await this.warnOfflineExpiry(state, now);
        if (!state.timestamp || !state.snapshot || !state.snapshotBytes) return false;
        const halfLeft = (r: 'snapshot' | 'timestamp', e: string) =>
          Date.parse(e) - now.getTime() <= DEFAULT_LIFETIME_MS[r] / 2;
        if (state.targets && halfLeft('snapshot', state.snapshot.signed.expires)) {
          role = 'snapshot';
          expires = state.snapshot.signed.expires;
          const root = requireRoot(state);
          const out = await resignSnapshot({
            targetsVersion: state.targets.signed.version,
            snapshotVersion: state.snapshot.signed.version + 1,
            timestampVersion: state.timestamp.signed.version + 1,
            now,
            snapshotSigners: [await this.usable('snapshot', root)],
            timestampSigners: [await this.usable('timestamp', root)],
          });
          await this.store.publish(out.files);
          return true;
        }
        expires = state.timestamp.signed.expires;
        if (!halfLeft('timestamp', expires)) return false;
        const signer = await this.usable('timestamp', requireRoot(state));
        const { bytes } = await signTimestamp({
          version: state.timestamp.signed.version + 1,
          snapshotVersion: state.snapshot.signed.version,
          snapshotBytes: state.snapshotBytes,
          now,
          signers: [signer],
        });
        await this.store.write('timestamp.json', bytes);
        return true;
      });
    } catch (err) {
      await raiseStaleAlarm(
        this.alarmDeps(),
        expires,
        err instanceof Error ? err.message : String(err),
        role,
      );
      return false;
    }
  }

  // Once a day per node, not every tick: the alarm must be heard, not drown the log.
  private async warnOfflineExpiry(state: PublishedState, now: Date): Promise<void> {
    const due = offlineExpiring(state, now);
    if (due.length === 0 || now.getTime() - this.lastOfflineAlarm < 86_400_000) return;
    this.lastOfflineAlarm = now.getTime();
    for (const d of due) await raiseStaleAlarm(this.alarmDeps(), d.expires, d.reason, d.role);
  }

  private alarmDeps() {
    return { audit: this.audit, bus: this.bus, logger: this.logger };
  }

  private async publish(targets: Envelope<'targets'>, state: PublishedState): Promise<void> {
    const root = requireRoot(state);
    const out = await publishOnline({
      targets,
      snapshotVersion: (state.snapshot?.signed.version ?? 0) + 1,
      timestampVersion: (state.timestamp?.signed.version ?? 0) + 1,
      now: new Date(),
      snapshotSigners: [await this.usable('snapshot', root)],
      timestampSigners: [await this.usable('timestamp', root)],
    });
    await this.store.publish(out.files);
  }

  /** The online key of `role`, refused when root no longer lists it (retired) or it is marked compromised. */
  private async usable(role: 'timestamp' | 'snapshot', root: Envelope<'root'>): Promise<TufSigner> {
    const signer = this.online()[role];
    if ((await this.compromised()).includes(signer.keyid))
      throw hardenedOsError('tuf_key_refused', `The ${role} key ${signer.keyid} is marked compromised.`);
    if (!root.signed.roles[role].keyids.includes(signer.keyid))
      throw hardenedOsError(
        'tuf_key_refused',
        `Root does not list the server's ${role} key ${signer.keyid} (retired, or never added): sign a root that does.`,
      );
    return signer;
  }

  private online(): OnlineSigners {
    if (!this.signers) throw new Error('the online TUF keys are not loaded yet');
    return this.signers;
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.database.withExclusiveLock(PUBLISH_LOCK, fn);
  }

  private compromised(): Promise<string[]> {
    return this.keyStatus.compromised();
  }

  private async record(
    by: Principal,
    action: string,
    e: Envelope<TufRole>,
    requestId: string,
  ): Promise<void> {
    await this.audit.record({
      actor: by.actor,
      action,
      target: `tuf:${e.signed._type}`,
      details: {
        version: e.signed.version,
        expires: e.signed.expires,
        keyids: e.signatures.map((s) => s.keyid),
      },
      requestId,
    });
  }
}
