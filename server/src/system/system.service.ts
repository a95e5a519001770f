import { Inject, Injectable } from '@nestjs/common';
import {
  APP_INFO,
  DATABASE,
  DEAD_LETTERS,
  EVENT_BUS,
  HealthService,
  PLATFORM_CONFIG,
  migrationStatus,
  rowsOf,
  sql,
  type AppInfo,
  type DatabaseHandle,
  type DeadLetterStore,
  type DeadLetterSummary,
  type EventBus,
  type PlatformConfig,
} from '@pakawaaz/platform';
import { ALL_DOMAINS } from '../domains.js';
import { DevicePortStatus } from '../http/device-port.js';

export type DomainStatus = {
  name: string;
  /** active: serves features on this node; not-served: built, but not in this node's PAKAWAAZ_DOMAINS; planned: schema only so far. */
  status: 'active' | 'not-served' | 'planned';
  health: 'up' | 'down';
  schema: string;
  migrations: { applied: number; available: number };
};

const NO_DEAD_LETTERS: DeadLetterSummary = { total: 0, last24h: 0, latest: [] };

/** Whether this node accepts handsets attested by the lab root (PAKAWAAZ_TRUST_LAB_ROOT=1, demo and tests). */
export const LAB_ROOT_TRUSTED = Symbol.for('pakawaaz.server.LabRootTrusted');

/** The NOC's system page: what runs, in which mode, and whether each domain's data is in place. */
@Injectable()
export class SystemService {
  constructor(
    @Inject(APP_INFO) private readonly app: AppInfo,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(DEAD_LETTERS) private readonly deadLetters: DeadLetterStore,
    private readonly health: HealthService,
    private readonly devicePort: DevicePortStatus,
    @Inject(LAB_ROOT_TRUSTED) private readonly labRootTrusted: boolean,
  ) {}

  async status() {
    const dbUp = await this.health.databaseUp();
    const bus = await this.bus
      .health()
      .catch((err: Error) => ({ status: 'down' as const, detail: err.message }));
    return {
      version: this.app.version,
      startedAt: this.app.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - this.app.startedAt.getTime()) / 1000),
      nodeVersion: process.version,
      process: {
        index: this.config.processIndex,
        count: this.config.processes,
        pid: process.pid,
      },
      devicePort: this.devicePortView(),
      trustsLabAttestationRoot: this.labRootTrusted,
      database: {
        mode: this.database.mode,
        location: this.database.location,
        status: dbUp ? ('up' as const) : ('down' as const),
      },
      eventBus: {
        mode: this.bus.mode,
        status: bus.status,
        ...(bus.detail ? { detail: bus.detail } : {}),
        deadLetters: dbUp ? await this.deadLetters.summary() : NO_DEAD_LETTERS,
      },
      domains: dbUp
        ? await this.domains()
        : ALL_DOMAINS.map((d) => this.domainView(d.name, 'down', { applied: 0, available: 0 })),
    };
  }

  private devicePortView(): { open: boolean; url?: string; detail?: string } {
    const s = this.devicePort.state;
    return s.open ? { open: true, url: s.url } : { open: false, detail: s.reason };
  }

  private async domains(): Promise<DomainStatus[]> {
    const [migrations, schemas] = await Promise.all([
      migrationStatus(this.database, ALL_DOMAINS),
      this.database.db
        .execute(sql`select nspname from pg_namespace`)
        .then((r) => new Set(rowsOf<{ nspname: string }>(r).map((x) => x.nspname))),
    ]);
    return ALL_DOMAINS.map((d, i) => {
      const m = migrations[i] ?? { applied: 0, available: 0 };
      const up = schemas.has(d.pgSchema) && m.applied === m.available;
      return this.domainView(d.name, up ? 'up' : 'down', { applied: m.applied, available: m.available });
    });
  }

  private domainView(
    name: string,
    health: 'up' | 'down',
    migrations: DomainStatus['migrations'],
  ): DomainStatus {
    const d = ALL_DOMAINS.find((x) => x.name === name);
    const served =
      name === 'platform' ||
      name === 'identity' ||
      (this.config.PAKAWAAZ_DOMAINS as readonly string[]).includes(name);
    return {
      name,
      status: d?.status !== 'active' ? 'planned' : served ? 'active' : 'not-served',
      health,
      schema: d?.pgSchema ?? name,
      migrations,
    };
  }
}
