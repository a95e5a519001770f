import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
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
import { OsUpdateMetadataStale } from '../hardened-os.events.js';
import { PAYLOAD_STORE } from '../payloads/payloads.service.js';
import type { PayloadStore } from '../payloads/payload-store.js';
import { RegistryRepository } from '../registry/registry.repository.js';
import { DEMO_ROOT_FIELD } from './demo-keys.js';
import { MetadataStore, writeFileAtomic } from './metadata-store.js';
import { parseTargetPath, targetOf } from './release-targets.js';
import { openOnlineSigners, type OnlineSigners } from './tuf-online-keys.js';
import type { TufSigner } from './tuf-keys.js';
import {
  checkKeyIds,
  isExpired,
  parseMetadata,
  serializeMetadata,
  TufMetadataError,
  verifyRootRotation,
  verifyThreshold,
  type Envelope,
} from './tuf-metadata.js';
import type { TufRole } from './tuf-metadata.schema.js';
import { DEFAULT_LIFETIME_MS, publishOnline, signTimestamp } from './tuf-repository.js';
import { readPublished, requireRoot, type PublishedState } from './tuf-state.js';

/** Cluster-wide lock serialising publications (two nodes never sign the same version twice). */
const PUBLISH_LOCK = 0x74756670;
/** How often the timer looks at the timestamp; it re-signs once half its lifetime has passed. */
const REFRESH_CHECK_MS = 5 * 60_000;
const KEY_STATUS_FILE = 'key-status.json';

const actorName = (by: Principal) => `${by.actor.type}:${by.actor.id}`;

/**
 * The TUF repository the handsets update from: imports root and targets signed offline, signs snapshot and
 * timestamp with the online keys, keeps timestamp fresh, and serves the files. National only.
 */
@Injectable()
export class TufRepositoryService implements OnModuleInit, OnApplicationShutdown {
  readonly store: MetadataStore;
  private signers?: OnlineSigners;
  private timer?: NodeJS.Timeout;

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
  }

  async onModuleInit(): Promise<void> {
    this.signers = await openOnlineSigners(this.keys, {
      timestamp: this.config.tufTimestampKeyFile,
      snapshot: this.config.tufSnapshotKeyFile,
    });
    await this.store.removeTemps();
    this.timer = setInterval(() => void this.refreshTimestamp(new Date()), REFRESH_CHECK_MS);
    this.timer.unref();
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
    const next = this.parse('root', body);
    return this.locked(async () => {
      const state = await readPublished(this.store);
      this.check(() => {
        checkKeyIds(next.signed);
        if (state.root) verifyRootRotation(state.root.signed, next);
        else if (next.signed.version !== 1)
          throw new TufMetadataError('version', 'the first root must be version 1');
        verifyThreshold(next, next.signed, 'root');
        if (isExpired(next.signed, new Date()))
          throw new TufMetadataError('expired', 'root metadata has expired');
      });
      await this.refuseCompromised(next, 'root');
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
      if ((next.signed as Record<string, unknown>)[DEMO_ROOT_FIELD] === true)
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
    const targets = this.parse('targets', body);
    return this.locked(async () => {
      const state = await readPublished(this.store);
      if (!state.root) throw hardenedOsError('tuf_root_missing', 'Import root metadata before targets.');
      const root = state.root.signed;
      this.check(() => {
        verifyThreshold(targets, root, 'targets');
        const current = state.targets?.signed.version ?? 0;
        if (targets.signed.version <= current)
          throw new TufMetadataError('version', `targets must be newer than version ${current}`);
        if (isExpired(targets.signed, new Date()))
          throw new TufMetadataError('expired', 'targets metadata has expired');
      });
      await this.refuseCompromised(targets, 'targets');
      for (const [name, file] of Object.entries(targets.signed.targets))
        if (!(await this.payloads.has(file.hashes.sha256)))
          throw hardenedOsError('tuf_target_unknown', `Target ${name} is not a stored OTA payload.`);
      await this.publish(targets, state);
      await this.record(by, 'hardened-os.tuf.targets.published', targets, requestId);
      return { version: targets.signed.version, targets: Object.keys(targets.signed.targets).length };
    });
  }

  /** Marks a TUF key compromised: it is never used to sign again and its signatures stop counting. */
  async markCompromised(keyid: string, by: Principal, requestId: string) {
    requireNational(by);
    return this.locked(async () => {
      const set = new Set(await this.compromised());
      set.add(keyid);
      const list = [...set].sort();
      await writeFileAtomic(this.keyStatusFile(), Buffer.from(JSON.stringify({ compromised: list })));
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
   * Re-signs timestamp once half its lifetime has passed (the timer; also after a restart). When it cannot,
   * it raises the alarm: audit entry, event and error log — handsets stop updating when it expires.
   */
  async refreshTimestamp(now: Date): Promise<boolean> {
    let expires = 'unknown';
    try {
      return await this.locked(async () => {
        const state = await readPublished(this.store);
        if (!state.timestamp || !state.snapshot || !state.snapshotBytes) return false;
        expires = state.timestamp.signed.expires;
        const left = Date.parse(expires) - now.getTime();
        if (left > DEFAULT_LIFETIME_MS.timestamp / 2) return false;
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
      await this.alarm(expires, err instanceof Error ? err.message : String(err));
      return false;
    }
  }

  /** Public: a metadata file by its served name. */
  async metadataFile(name: string): Promise<Buffer> {
    const bytes = await this.store.read(name);
    if (!bytes) throw hardenedOsError('tuf_metadata_not_found', `No metadata file ${name}.`);
    return bytes;
  }

  /** Public: the payload file a consistent-snapshot target URL names, when the published targets list it. */
  async targetFile(model: string, version: string, hashed: string): Promise<{ file: string; size: number }> {
    const wanted = parseTargetPath(model, version, hashed);
    const bytes = wanted && (await this.store.read('targets.json'));
    const listed = bytes ? parseMetadata('targets', bytes).signed.targets[wanted.name] : undefined;
    if (!wanted || listed?.hashes.sha256 !== wanted.sha256)
      throw hardenedOsError('tuf_metadata_not_found', 'No such target.');
    const file = this.payloads.fileOf(wanted.sha256);
    const size = await stat(file).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) throw hardenedOsError('tuf_metadata_not_found', 'No such target.');
    return { file, size };
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

  /** Metadata whose threshold holds only thanks to a compromised key is refused. */
  private async refuseCompromised(e: Envelope<TufRole>, role: 'root' | 'targets'): Promise<void> {
    const bad = new Set(await this.compromised());
    if (!e.signatures.some((s) => bad.has(s.keyid))) return;
    const clean = { ...e, signatures: e.signatures.filter((s) => !bad.has(s.keyid)) };
    try {
      verifyThreshold(
        clean,
        role === 'root'
          ? (e as Envelope<'root'>).signed
          : requireRoot(await readPublished(this.store)).signed,
        role,
      );
    } catch {
      throw hardenedOsError('tuf_key_refused', `${role} metadata is signed with a key marked compromised.`);
    }
  }

  private parse<R extends TufRole>(role: R, body: unknown): Envelope<R> {
    try {
      return parseMetadata(role, Buffer.from(JSON.stringify(body ?? null)));
    } catch (err) {
      if (err instanceof TufMetadataError) throw hardenedOsError('tuf_metadata_invalid', err.message);
      throw err;
    }
  }

  private check(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof TufMetadataError) throw hardenedOsError('tuf_metadata_rejected', err.message);
      throw err;
    }
  }

  private online(): OnlineSigners {
    if (!this.signers) throw new Error('the online TUF keys are not loaded yet');
    return this.signers;
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.database.withExclusiveLock(PUBLISH_LOCK, fn);
  }

  private keyStatusFile(): string {
    return path.join(this.config.tufDir, KEY_STATUS_FILE);
  }

  private async compromised(): Promise<string[]> {
    const text = await readFile(this.keyStatusFile(), 'utf8').catch(() => undefined);
    if (!text) return [];
    const parsed = JSON.parse(text) as { compromised?: unknown };
    return Array.isArray(parsed.compromised) ? parsed.compromised.filter((k) => typeof k === 'string') : [];
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

  private async alarm(expires: string, reason: string): Promise<void> {
    this.logger?.error(
      { expires, reason },
      'could not re-sign TUF timestamp metadata: handsets stop updating when it expires',
    );
    await this.audit
      .record({
        actor: { type: 'system', id: 'hardened-os' },
        action: OsUpdateMetadataStale.type,
        target: 'tuf:timestamp',
        details: { expires, reason },
      })
      .catch(() => undefined);
    await this.bus
      ?.publish(OsUpdateMetadataStale.create({ expires, reason: reason.slice(0, 500) }))
      .catch(() => undefined);
  }
}
