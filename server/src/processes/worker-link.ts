import type { Provider } from '@nestjs/common';
import { AggregatorRegistry } from 'prom-client';
import { DEVICE_PUSH, PUSH_RELAY, type DevicePush, type PushRelay } from '@pakawaaz/device-mgmt';
import { Metrics, type Logger } from '@pakawaaz/platform';
import type { RunningServer } from '../bootstrap.js';
import { parseProcessMessage, pushBatches, type ProcessMessage, type ProcessRole } from './process-plan.js';

const METRICS_TIMEOUT_MS = 8_000;

/**
 * A server process's side of the supervisor's channel (PAKAWAAZ_PROCESSES > 1): the bindings its composition
 * root needs before start (a follower's push relay), and what it does once it serves (says it is ready; the
 * lead sends the followers' pushes; `/metrics` answers for every process of the host).
 */
export class WorkerLink {
  private nextId = 0;
  private readonly pending = new Map<number, (text: string | null) => void>();

  constructor(
    private readonly role: Exclude<ProcessRole, { kind: 'single' }>,
    private readonly logger: Logger,
  ) {}

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
    // The supervisor asks every process for its registry (prom-client's own messages) when one is scraped.
    AggregatorRegistry.setRegistries([metrics.registry]);
    new AggregatorRegistry();
    metrics.answerWith(() => this.hostMetrics(metrics));
    const push = this.role.kind === 'lead' ? optionalPush(server) : undefined;
    process.on('message', (raw: unknown) => {
      const m = parseProcessMessage(raw);
      if (m?.pakawaaz === 'push' && push)
        void push
          .notify(m.deviceIds)
          .catch((err: unknown) => this.logger.warn({ err }, 'relayed push failed'));
      if (m?.pakawaaz === 'metrics-text') this.pending.get(m.id)?.(m.text);
    });
    this.send({ pakawaaz: 'ready', index: this.role.index });
  }

  /** Every process's metrics, summed; this process's own if the supervisor does not answer in time. */
  private hostMetrics(metrics: Metrics): Promise<string> {
    const id = this.nextId++;
    return new Promise<string>((resolve) => {
      const timer = setTimeout(() => settle(null), METRICS_TIMEOUT_MS);
      const settle = (text: string | null): void => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(text ?? metrics.registry.metrics());
      };
      this.pending.set(id, settle);
      if (!this.send({ pakawaaz: 'metrics', id })) settle(null);
    });
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
