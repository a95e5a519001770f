import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from '@pakawaaz/platform';
import {
  nextDeaths,
  parseProcessMessage,
  processEnv,
  restartDelay,
  type ProcessMessage,
} from './process-plan.js';

const STOP_GRACE_MS = 20_000;

type Slot = { index: number; worker: Worker | null; startedAt: number; deaths: number; ready: boolean };

/**
 * The supervising process of PAKAWAAZ_PROCESSES > 1 (`npm start`, `pakawaaz start`): it serves nothing
 * itself. It starts the lead process, then — once the lead has migrated the database and finished its
 * first-start work — the others; starts again any that dies (after a back-off); passes the followers' pushes
 * to the lead; answers a process's `/metrics` with every process's, summed; and on SIGINT or SIGTERM stops them
 * all and exits. Resolves with the exit code.
 */
export function superviseProcesses(count: number, logger: Logger): Promise<number> {
  return new ProcessSupervisor(count, logger).run();
}

class ProcessSupervisor {
  private readonly slots: Slot[];
  private readonly aggregator = new AggregatorRegistry();
  private phase: 'starting' | 'running' | 'stopping' = 'starting';
  private exitCode = 0;
  private finish: (code: number) => void = () => undefined;

  constructor(
    private readonly count: number,
    private readonly logger: Logger,
  ) {
    this.slots = Array.from({ length: count }, (_, index) => ({
      index,
      worker: null,
      startedAt: 0,
      deaths: 0,
      ready: false,
    }));
  }

  run(): Promise<number> {
    const done = new Promise<number>((resolve) => (this.finish = resolve));
    // A terminal's Ctrl-C reaches every process of the group; each stops itself, and none is started again.
    process.once('SIGINT', () => this.stop());
    process.once('SIGTERM', () => this.stop());
    this.start(this.slots[0]!);
    // Keeps the supervisor alive while a process waits to be started again (its timer is unref'd).
    const alive = setInterval(() => undefined, 60_000);
    return done.finally(() => clearInterval(alive));
  }

  private start(slot: Slot): void {
    slot.ready = false;
    slot.startedAt = Date.now();
    const worker = cluster.fork(processEnv(slot.index));
    slot.worker = worker;
    worker.on('message', (raw: unknown) => this.onMessage(slot, parseProcessMessage(raw)));
    worker.on('exit', (code, signal) => this.onExit(slot, worker, code, signal));
  }

  private onMessage(slot: Slot, m: ProcessMessage | null): void {
    switch (m?.pakawaaz) {
      case 'ready':
        slot.ready = true;
        return this.onReady(slot);
      case 'push':
        return sendTo(this.slots[0]!.worker, m);
      case 'metrics':
        return void this.aggregator.clusterMetrics().then(
          (text) => sendTo(slot.worker, { pakawaaz: 'metrics-text', id: m.id, text }),
          (err: Error) => {
            this.logger.warn(
              { err: { message: err.message } },
              'the processes’ metrics could not be gathered',
            );
            sendTo(slot.worker, { pakawaaz: 'metrics-text', id: m.id, text: null });
          },
        );
      case 'metrics-text':
      case undefined:
        return;
    }
  }

  private onReady(slot: Slot): void {
    const processPid = slot.worker?.process.pid;
    if (this.phase === 'running')
      return this.logger.info({ index: slot.index, processPid }, 'server process started again');
    if (this.phase !== 'starting') return;
    if (slot.index === 0) this.slots.slice(1).forEach((s) => this.start(s));
    if (!this.slots.every((s) => s.ready)) return;
    this.phase = 'running';
    const pids = this.slots.map((s) => s.worker?.process.pid).join(', ');
    process.stderr.write(
      `pakawaaz: ${this.count} processes serve this host's ports (pids ${pids}); the first runs RADIUS, the MQTT broker and Janus\n`,
    );
  }

  private onExit(slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
    if (slot.worker !== worker) return;
    slot.worker = null;
    if (this.phase === 'stopping') {
      if (code !== 0) this.exitCode = 1;
      if (this.slots.every((s) => s.worker === null)) this.finish(this.exitCode);
      return;
    }
    if (this.phase === 'starting') {
      // A process that cannot start (configuration, database, keys) said why on stderr: stop, as one would.
      this.logger.error({ index: slot.index, code, signal }, 'a server process failed to start; stopping');
      this.exitCode = 1;
      return this.stop();
    }
    slot.deaths = nextDeaths(slot.deaths, Date.now() - slot.startedAt);
    const delay = restartDelay(slot.deaths);
    this.logger.error(
      { index: slot.index, processPid: worker.process.pid, code, signal, restartInMs: delay },
      'a server process died; starting it again',
    );
    setTimeout(() => this.phase === 'running' && this.start(slot), delay).unref();
  }

  private stop(): void {
    if (this.phase === 'stopping') return;
    this.phase = 'stopping';
    const live = this.slots.filter((s) => s.worker !== null);
    if (live.length === 0) return this.finish(this.exitCode);
    for (const s of live) s.worker!.process.kill('SIGTERM');
    setTimeout(() => {
      this.logger.error('server processes took longer than 20 s to stop; killing them');
      for (const s of this.slots) s.worker?.process.kill('SIGKILL');
    }, STOP_GRACE_MS).unref();
  }
}

function sendTo(worker: Worker | null, message: ProcessMessage): void {
  if (worker?.isConnected()) worker.send(message, (err: Error | null) => void err);
}
