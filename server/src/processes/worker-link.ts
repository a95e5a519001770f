import type { Provider } from '@nestjs/common';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { DEVICE_PUSH, PUSH_RELAY, type DevicePush, type PushRelay } from '@pakawaaz/device-mgmt';
import { Metrics, type Logger } from '@pakawaaz/platform';
import type { RunningServer } from '../bootstrap.js';
import { IpcPeers } from './ipc-peers.js';
import { parseProcessMessage, pushBatches, type ProcessMessage, type ProcessRole } from './process-plan.js';

const METRICS_KEY = 'platform.metrics';

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/**
 * A server process's side of the supervisor's channel (PAKAWAAZ_PROCESSES > 1): its ProcessPeers and the
 * bindings its composition root needs before start (a follower's push relay), and what it does once it
 * serves (says it is ready; the lead sends the followers' pushes; `/metrics` answers for every process).
 */
export class WorkerLink {
  readonly peers: IpcPeers;
  /** The gathering in progress: scrapes that arrive meanwhile share it (a flood is not a flood of IPC). */
  private gathering: Promise<string> | null = null;
  private push: DevicePush | undefined;

  constructor(
    private readonly role: Exclude<ProcessRole, { kind: 'single' }>,
    private readonly logger: Logger,
  ) {
    this.peers = new IpcPeers(role.kind === 'lead', (m) => this.send(m));
    // From the start: a question asked while this process starts gets "no answer" at once, not a timeout.
    process.on('message', (raw: unknown) => this.onMessage(parseProcessMessage(raw)));
  }

  /** The lead process (index 0) runs the host's one-of-a-kind listeners and prints the banner. */
  get lead(): boolean {
    return this.role.kind === 'lead';
  }

  /** A follower hands its pushes to the lead, whose embedded broker the handsets are connected to. */
  providers(): Provider[] {
    if (this.role.kind === 'lead') return [];
    const relay: PushRelay = {
      forward: (deviceIds) =>
        pushBatches(deviceIds).forEach((ids) => this.send({ pakawaaz: 'push', deviceIds: ids })),
    };
    return [{ provide: PUSH_RELAY, useValue: relay }];
  }

  /** Call once the server serves: from then on the supervisor may start the next processes. */
  serving(server: RunningServer): void {
    const metrics = server.app.get(Metrics);
    // Each process's series carry its index: summed by the scraper, and a restart resets only its own.
    metrics.registry.setDefaultLabels({ process: String(this.role.index) });
    this.peers.serve(METRICS_KEY, () => metrics.registry.getMetricsAsJSON());
    metrics.answerWith(() => this.hostMetrics());
    if (this.role.kind === 'lead') this.push = optionalPush(server);
    this.send({ pakawaaz: 'ready', index: this.role.index });
  }

  private onMessage(m: ProcessMessage | null): void {
    if (m?.pakawaaz === 'push' && this.push)
      void this.push
        .notify(m.deviceIds)
        .catch((err: unknown) => this.logger.warn({ err }, 'relayed push failed'));
    else if (m) this.peers.onMessage(m);
  }

  /** Every serving process's metrics, each series labelled with its process. */
  private hostMetrics(): Promise<string> {
    this.gathering ??= this.peers
      .fromAll<MetricsJson>(METRICS_KEY)
      .then((all) => AggregatorRegistry.aggregate(all).metrics())
      .finally(() => (this.gathering = null));
    return this.gathering;
  }

  private send(message: ProcessMessage): boolean {
    if (!process.connected || !process.send) return false;
    process.send(message, undefined, {}, (err: Error | null) => void err);
    return true;
  }
}

function optionalPush(server: RunningServer): DevicePush | undefined {
  try {
    return server.app.get<DevicePush>(DEVICE_PUSH, { strict: false });
  } catch {
    return undefined;
  }
}
