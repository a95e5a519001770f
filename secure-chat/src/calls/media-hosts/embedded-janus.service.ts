import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { LOGGER, type Logger } from '@pakawaaz/platform';
import { CALLS_CONFIG, type CallsConfig } from '../calls.config.js';
import { CALLS_SECRETS, type CallsSecrets } from './calls-secrets.js';
import { findJanus, startEmbeddedJanus, type RunningJanus } from './embedded-janus.js';
import { MediaHostsRepository } from './media-hosts.repository.js';

/** The embedded host's name in the registry. */
export const EMBEDDED_HOST = 'embedded';

export type EmbeddedJanusState =
  | { state: 'running'; pid: number; wsUrl: string }
  | { state: 'off' | 'not_installed' | 'failed' | 'exited' | 'stopped'; detail: string };

/**
 * The embedded default's media host: when PAKAWAAZ_JANUS=auto and the `janus` binary is installed (Debian's
 * `janus` package), a local Janus is started with a generated configuration and registered as the host
 * `embedded`; otherwise calls are disabled (said in /healthz and the NOC) and everything else works.
 */
@Injectable()
export class EmbeddedJanusService implements OnApplicationBootstrap, OnModuleDestroy {
  private running: RunningJanus | undefined;
  private current: EmbeddedJanusState = { state: 'off', detail: 'not started yet' };
  private settle: () => void = () => undefined;
  /** Resolves once the embedded Janus is running and registered, or known not to be (probes wait for it). */
  readonly settled = new Promise<void>((resolve) => (this.settle = resolve));

  constructor(
    @Inject(CALLS_CONFIG) private readonly config: CallsConfig,
    @Inject(CALLS_SECRETS) private readonly secrets: CallsSecrets,
    private readonly repo: MediaHostsRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  get status(): EmbeddedJanusState {
    return this.current;
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.bootstrap();
    } finally {
      this.settle();
    }
  }

  private async bootstrap(): Promise<void> {
    if (this.config.janus === 'off') {
      this.current = { state: 'off', detail: 'PAKAWAAZ_JANUS=off' };
      return;
    }
    const binary = await findJanus(this.config.janusBinary);
    if (!binary) {
      this.current = {
        state: 'not_installed',
        detail: `no ${this.config.janusBinary} binary (apt-get install janus)`,
      };
      this.logger.warn(`calls disabled: ${this.current.detail}`);
      return;
    }
    try {
      await this.start(binary);
    } catch (err) {
      this.current = { state: 'failed', detail: (err as Error).message };
      this.logger.error({ err }, 'calls disabled: the embedded Janus did not start');
    }
  }

  async onModuleDestroy(): Promise<void> {
    const r = this.running;
    this.running = undefined;
    if (r) await r.stop();
    if (r) this.current = { state: 'stopped', detail: 'the server is shutting down' };
  }

  private async start(binary: string): Promise<void> {
    const janus = await startEmbeddedJanus(binary, {
      binary,
      libDir: this.config.janusLibDir,
      dir: this.config.janusDir,
      wsPort: this.config.janusWsPort,
      adminPort: this.config.janusAdminPort,
      rtpPorts: this.config.janusRtpPorts,
      onOutput: (line) => this.logger.debug({ janus: line }, 'janus'),
    });
    this.running = janus;
    await this.repo.upsertEmbedded({
      id: randomUUID(),
      name: EMBEDDED_HOST,
      wsUrl: janus.wsUrl,
      adminUrl: janus.adminUrl,
      adminSecretSealed: await this.secrets.seal(janus.adminSecret),
      capacity: this.config.janusCapacity,
    });
    this.current = { state: 'running', pid: janus.pid, wsUrl: janus.wsUrl };
    this.logger.info({ pid: janus.pid, ws: janus.wsUrl }, 'embedded Janus started (calls enabled)');
    void janus.exited.then((code) => {
      if (this.running !== janus) return;
      this.running = undefined;
      this.current = { state: 'exited', detail: `janus exited (code ${code})` };
      this.logger.error({ code }, 'the embedded Janus exited: its calls are lost, new calls go elsewhere');
    });
  }
}
