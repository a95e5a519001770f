import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  AuditService,
  DATABASE,
  LOGGER,
  requireNational,
  type DatabaseHandle,
  type Logger,
  type Principal,
} from '@pakawaaz/platform';
import { HARDENED_OS_CONFIG, type HardenedOsConfig } from '../hardened-os.config.js';
import { hardenedOsError } from '../hardened-os.errors.js';
import { PAYLOAD_STORE } from '../payloads/payloads.service.js';
import type { PayloadStore } from '../payloads/payload-store.js';
import { RegistryRepository } from '../registry/registry.repository.js';
import { isDemoRoot } from './demo-keys.js';
import {
  checked,
  checkTargetsStored,
  parseUpload,
  refuseCompromised,
  refuseDemoRoot,
} from './tuf-import-checks.js';
import { targetOf } from './release-targets.js';
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
import { TufPublisher } from './tuf-publisher.js';

const actorName = (by: Principal) => `${by.actor.type}:${by.actor.id}`;

/**
 * The TUF repository the handsets update from, as operators drive it: imports root and targets signed
 * offline (the online keys sign snapshot and timestamp over them), marks keys compromised, and reports the
 * state. National only. Keeping the online metadata fresh is TufRefreshService's; serving, OtaFilesService's.
 */
@Injectable()
export class TufRepositoryService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(HARDENED_OS_CONFIG) private readonly config: HardenedOsConfig,
    @Inject(PAYLOAD_STORE) private readonly payloads: PayloadStore,
    private readonly registry: RegistryRepository,
    private readonly publisher: TufPublisher,
    private readonly audit: AuditService,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {}

  /** The online keys' public halves: the signing room puts them in root. */
  async onlineKeys(by: Principal) {
    requireNational(by);
    const s = await this.publisher.keys.signers();
    return {
      timestamp: { keyid: s.timestamp.keyid, key: s.timestamp.public },
      snapshot: { keyid: s.snapshot.keyid, key: s.snapshot.public },
    };
  }

  async status(by: Principal) {
    requireNational(by);
    const state = await this.publisher.state();
    const role = (e?: Envelope<TufRole>) =>
      e ? { version: e.signed.version, expires: e.signed.expires } : null;
    return {
      root: role(state.root),
      targets: role(state.targets),
      snapshot: role(state.snapshot),
      timestamp: role(state.timestamp),
      demoRoot: state.root ? isDemoRoot(state.root) : false,
      compromisedKeys: await this.publisher.compromised(),
    };
  }

  /** What the signing room signs: every stored payload as a target (the CLI writes it to a file). */
  async exportTargets(by: Principal) {
    requireNational(by);
    const rows = await this.registry.publishable();
    const targets = rows.map(targetOf).filter((t) => t !== undefined);
    const state = await this.publisher.state();
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
    const online = await this.publisher.keys.signers();
    return this.publisher.locked(async () => {
      const state = await this.publisher.state();
      checked(() => {
        checkKeyIds(next.signed);
        if (state.root) verifyRootRotation(state.root.signed, next);
        else if (next.signed.version !== 1)
          throw new TufMetadataError('version', 'the first root must be version 1');
        verifyThreshold(next, next.signed, 'root');
        if (isExpired(next.signed, new Date()))
          throw new TufMetadataError('expired', 'root metadata has expired');
      });
      refuseCompromised(next, 'root', next.signed, await this.publisher.compromised());
      // A root without the server's online keys would leave it unable to publish: refuse it up front.
      for (const role of ['timestamp', 'snapshot'] as const) {
        const keyid = online[role].keyid;
        if (!next.signed.roles[role].keyids.includes(keyid))
          throw hardenedOsError(
            'tuf_key_refused',
            `Root must list the server's ${role} key ${keyid} (GET /api/v1/os/tuf/online-keys).`,
          );
      }
      const bytes = serializeMetadata(next);
      const rootFiles = new Map([
        [`${next.signed.version}.root.json`, bytes],
        ['root.json', bytes],
      ]);
      // New online keys in the new root take effect with a fresh snapshot and timestamp, published with the
      // root in one transaction (a root whose keys cannot sign them is not published either).
      if (state.targets)
        await this.publisher.publishTargets(state.targets, { ...state, root: next }, rootFiles);
      else await this.publisher.publishFiles(rootFiles);
      await this.record(by, 'hardened-os.tuf.root.imported', next, requestId);
      if (isDemoRoot(next))
        this.logger?.warn(
          { version: next.signed.version },
          'DEMO-ONLY TUF root imported: its root and targets keys sit in the data folder; never ship handsets trusting it',
        );
      return { version: next.signed.version, expires: next.signed.expires };
    });
  }

  async importTargets(body: unknown, by: Principal, requestId: string) {
    requireNational(by);
    const targets = parseUpload('targets', body);
    return this.publisher.locked(async () => {
      const state = await this.publisher.state();
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
      refuseCompromised(targets, 'targets', root, await this.publisher.compromised());
      await checkTargetsStored(targets, this.payloads);
      await this.publisher.publishTargets(targets, state);
      await this.record(by, 'hardened-os.tuf.targets.published', targets, requestId);
      return { version: targets.signed.version, targets: Object.keys(targets.signed.targets).length };
    });
  }

  /** Marks a TUF key compromised: it is never used to sign again and its signatures stop counting. */
  async markCompromised(keyid: string, by: Principal, requestId: string) {
    requireNational(by);
    await this.database.db.transaction(async (tx) => {
      await this.publisher.repo.markCompromised(keyid, actorName(by), new Date(), tx);
      await this.audit.record(
        {
          actor: by.actor,
          action: 'hardened-os.tuf.key.compromised',
          target: `tuf-key:${keyid}`,
          details: { keyid, by: actorName(by) },
          requestId,
        },
        tx,
      );
    });
    return { compromisedKeys: await this.publisher.compromised() };
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
