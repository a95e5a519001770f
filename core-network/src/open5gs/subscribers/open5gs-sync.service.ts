import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EVENT_BUS, LOGGER, type EventBus, type Logger } from '@pakawaaz/platform';
import { CORE_NETWORK_CONFIG, type CoreNetworkConfig } from '../../core-network.config.js';
import { SimSecretsService } from '../../sim-inventory/sim-secrets.service.js';
import { SubscriberProfile } from '../../subscribers/profile.js';
import { SubscribersRepository, type SubscriberRow } from '../../subscribers/subscribers.repository.js';
import { DriftDetected } from './open5gs.events.js';
import { planReconciliation, type StoredSubscriberDocument, type SubscriberDrift } from './reconcile.js';
import { buildSubscriberDocuments, type Open5gsSubscriberDocument } from './subscriber-document.js';
import type { Open5gsSubscriberStore } from './subscriber-store.port.js';

/** How the sync service reaches Open5GS's MongoDB; injectable so tests can supply the port without a MongoDB. */
export type Open5gsStoreFactory = (url: string) => Promise<Open5gsSubscriberStore>;
export const OPEN5GS_STORE_FACTORY = Symbol.for('pakawaaz.core-network.Open5gsStoreFactory');

export type SyncReport = {
  at: string;
  ok: boolean;
  error: string | null;
  upserted: number;
  deleted: number;
  unchanged: number;
  drift: SubscriberDrift[];
  unmanaged: string[];
};

/**
 * Keeps Open5GS's `subscribers` collection equal to Pakawaaz's subscribers (OPEN5GS_MONGODB_URL): periodic,
 * idempotent passes that upsert changed documents by IMSI, delete unassigned ones, and report drift — documents
 * changed behind Pakawaaz's back. Without MongoDB the same documents (and the deletions) are exported for
 * mongoimport by Open5gsExportService.
 */
@Injectable()
export class Open5gsSyncService implements OnApplicationBootstrap, OnModuleDestroy {
  private store: Open5gsSubscriberStore | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SyncReport> | undefined;
  private last: SyncReport | undefined;

  constructor(
    @Inject(CORE_NETWORK_CONFIG) private readonly config: CoreNetworkConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly subscribers: SubscribersRepository,
    private readonly secrets: SimSecretsService,
    @Inject(OPEN5GS_STORE_FACTORY) private readonly connect: Open5gsStoreFactory,
  ) {}

  get mode(): 'mongodb' | 'export-only' {
    return this.config.open5gsMongoUrl ? 'mongodb' : 'export-only';
  }

  get lastReport(): SyncReport | undefined {
    return this.last;
  }

  onApplicationBootstrap(): void {
    if (!this.config.open5gsMongoUrl) return;
    this.timer = setInterval(
      () => void this.sync().catch(() => undefined),
      this.config.open5gsSyncIntervalMs,
    );
    this.timer.unref();
    void this.sync().catch(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    await this.store?.close();
  }

  /** One reconciliation pass; concurrent callers share the pass in progress. */
  sync(): Promise<SyncReport> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<SyncReport> {
    try {
      this.store ??= await this.connect(this.config.open5gsMongoUrl!);
      const { docs, pending, versions, barred } = await this.desired();
      const actual = new Map<string, StoredSubscriberDocument>();
      for await (const d of this.store.fetch()) actual.set(d.imsi, d);
      const deletions = [...(await this.subscribers.pendingDeletions()), ...barred];
      const plan = planReconciliation(docs, actual, deletions, { pending });
      const written = await this.store.upsert(plan.upserts);
      const deleted = plan.deletes.length ? await this.store.remove(plan.deletes) : 0;
      await this.subscribers.markSynced(versions);
      await this.subscribers.clearDeletions([...plan.deletes, ...plan.alreadyDeleted]);
      if (plan.drift.length)
        await this.bus.publish(DriftDetected.create({ drift: plan.drift.slice(0, 100) }));
      this.last = {
        at: new Date().toISOString(),
        ok: true,
        error: null,
        upserted: written.upserted + written.modified,
        deleted,
        unchanged: plan.unchanged.length,
        drift: [...plan.drift],
        unmanaged: [...plan.unmanaged],
      };
    } catch (err) {
      this.logger.error(
        { err: { message: (err as Error).message } },
        'Open5GS subscriber sync failed; retrying on the next pass',
      );
      this.last = {
        at: new Date().toISOString(),
        ok: false,
        error: (err as Error).message,
        upserted: 0,
        deleted: 0,
        unchanged: 0,
        drift: [],
        unmanaged: [],
      };
    }
    return this.last;
  }

  /**
   * Every active subscriber as its Open5GS document, with the versions this pass makes synced. A barred
   * subscriber has no document: Open5GS's subscriber_status/ODB only bars 4G (the MME checks it; the 5G UDR
   * ignores it), so removing the document is what denies both EPS attach and 5G registration. Unbarring
   * re-creates it with SQN 0, which costs the UE one AUTS re-synchronisation.
   */
  async desired(): Promise<{
    all: SubscriberRow[];
    docs: Map<string, Open5gsSubscriberDocument>;
    pending: Set<string>;
    versions: Map<string, number>;
    barred: string[];
  }> {
    const all = await this.subscribers.all();
    const subs = all.filter((s) => s.status === 'active');
    const barred = all.filter((s) => s.status === 'barred');
    const profiles = new Map(
      (await this.subscribers.profiles()).map((p) => [p.name, SubscriberProfile.parse(p.profile)]),
    );
    const secrets = await this.secrets.secretsFor(subs.map((s) => s.imsi));
    const inputs = subs.flatMap((s) => {
      const secret = secrets.get(s.imsi);
      const profile = profiles.get(s.profileName);
      return secret && profile
        ? [
            {
              imsi: s.imsi,
              msisdn: secret.msisdn,
              secret,
              profile,
              status: s.status,
              staticIpv4: s.staticIpv4,
              staticIpv6: s.staticIpv6,
            },
          ]
        : [];
    });
    // One subscriber Open5GS cannot take (e.g. a static IP outside its sessions) must not hold back the others.
    const built = buildSubscriberDocuments(inputs, (err) =>
      this.logger.warn({ imsi: err.imsi, reason: err.message }, 'subscriber not pushed to Open5GS'),
    );
    const docs = new Map(built.map((d) => [d.imsi, d]));
    const changed = (s: { version: number; syncedVersion: number }) => s.version > s.syncedVersion;
    const synced = [...subs.filter((s) => docs.has(s.imsi) && changed(s)), ...barred.filter(changed)];
    return {
      all,
      docs,
      pending: new Set(subs.filter(changed).map((s) => s.imsi)),
      versions: new Map(synced.map((s) => [s.imsi, s.version])),
      barred: barred.map((s) => s.imsi),
    };
  }
}
