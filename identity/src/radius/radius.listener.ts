import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { LOGGER, Metrics, PROCESS_PEERS, type Logger, type ProcessPeers } from '@pakawaaz/platform';
import { Gauge } from 'prom-client';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { RadiusAccessService } from './radius-access.service.js';
import { RadiusAccountingService } from './radius-accounting.service.js';
import { AuthEventsService } from '../auth-events/auth-events.service.js';
import type { QueueStats } from '../auth-events/auth-event-queue.js';
import { RadiusAuthLog } from './radius-auth-log.js';
import { RadiusClientsService } from './radius-clients.service.js';
import { startRadiusServer, type RadiusServer } from './radius-server.js';

const STATUS_KEY = 'identity.radius.status';

type RadiusStatusView = {
  listening: boolean;
  authPort: number | null;
  acctPort: number | null;
  stats: Record<string, unknown> | null;
  log: QueueStats;
};

/**
 * Runs the RADIUS server (UDP auth + accounting) for the life of the application, and exposes its counters
 * on /metrics as `pakawaaz_radius_*`.
 */
@Injectable()
export class RadiusListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: RadiusServer | null = null;

  constructor(
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly clients: RadiusClientsService,
    private readonly access: RadiusAccessService,
    private readonly accounting: RadiusAccountingService,
    private readonly metrics: Metrics,
    private readonly log: RadiusAuthLog,
    private readonly events: AuthEventsService,
    @Optional() @Inject(PROCESS_PEERS) private readonly peers?: ProcessPeers,
  ) {
    peers?.serve(STATUS_KEY, () => this.localStatus());
  }

  async onApplicationBootstrap(): Promise<void> {
    const { enabled, host, authPort, acctPort } = this.config.radius;
    if (!enabled) return;
    try {
      this.server = await startRadiusServer({
        host,
        authPort,
        acctPort,
        clients: this.clients.lookup,
        handler: { access: (r) => this.access.access(r), accounting: (r) => this.accounting.record(r) },
        logger: this.logger,
        onDrop: (event) => {
          const { client, disabled } = this.clients.describe(event.clientId, event.address);
          this.log.drop(event, client, disabled);
        },
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(
        `Cannot listen for RADIUS on ${host} UDP ${authPort}/${acctPort}${code ? ` (${code})` : ''}: set RADIUS_AUTH_PORT/RADIUS_ACCT_PORT to free ports, or RADIUS_ENABLED=false.`,
      );
    }
    this.registerMetrics();
    this.logger.info(
      { authPort: this.server.authPort, acctPort: this.server.acctPort },
      'RADIUS server listening',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
    this.server = null;
  }

  /** Bound ports (differ from the config when it asked for 0), or null when RADIUS is off. */
  ports(): { authPort: number; acctPort: number } | null {
    return this.server ? { authPort: this.server.authPort, acctPort: this.server.acctPort } : null;
  }

  /**
   * The RADIUS server's state: the lead process's, which runs it, whichever of the host's processes
   * (PAKAWAAZ_PROCESSES) is asked.
   */
  status(): Promise<RadiusStatusView> {
    return this.peers
      ? this.peers.fromLead<RadiusStatusView>(STATUS_KEY)
      : Promise.resolve(this.localStatus());
  }

  private localStatus(): RadiusStatusView {
    const s = this.server;
    return {
      listening: s !== null,
      authPort: s?.authPort ?? null,
      acctPort: s?.acctPort ?? null,
      stats: s ? { ...s.stats(), accountingRefused: this.accounting.refused() } : null,
      log: this.events.stats(),
    };
  }

  private registerMetrics(): void {
    const stats = () => this.server?.stats();
    const registers = [this.metrics.registry];
    if (this.metrics.registry.getSingleMetric('pakawaaz_radius_requests')) return;
    new Gauge({
      name: 'pakawaaz_radius_requests',
      help: 'RADIUS requests since start, by outcome',
      labelNames: ['outcome'] as const,
      registers,
      collect() {
        const s = stats();
        if (!s) return;
        for (const [outcome, n] of Object.entries(s)) if (typeof n === 'number') this.set({ outcome }, n);
      },
    });
    new Gauge({
      name: 'pakawaaz_radius_dropped',
      help: 'RADIUS datagrams dropped since start, by reason',
      labelNames: ['reason'] as const,
      registers,
      collect() {
        const dropped: Record<string, unknown> = stats()?.dropped ?? {};
        for (const [reason, n] of Object.entries(dropped)) if (typeof n === 'number') this.set({ reason }, n);
      },
    });
    const refused = () => this.accounting.refused();
    new Gauge({
      name: 'pakawaaz_radius_accounting_refused',
      help: 'RADIUS accounting records refused since start because their Class did not verify, by reason',
      labelNames: ['reason'] as const,
      registers,
      collect() {
        for (const [reason, n] of Object.entries(refused())) this.set({ reason }, n);
      },
    });
  }
}
