import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '@pakawaaz/platform';
import {
  nextDeaths,
  parseProcessMessage,
  processEnv,
  pushBatches,
  restartDelay,
  type ProcessMessage,
} from './process-plan.js';

const STOP_GRACE_MS = 20_000;
/** How long the supervisor waits for the processes' answers to a question (ProcessPeers). */
const ANSWER_WAIT_MS = 5_000;
/** Devices whose push waits for the lead (down, or starting again): at most this many, each once. */
const MAX_WAITING_PUSHES = 100_000;

type Slot = { index: number; worker: Worker | null; startedAt: number; deaths: number; ready: boolean };

/**
 * The supervising process of PAKAWAAZ_PROCESSES > 1 (`npm start`, `pakawaaz start`): it serves nothing
 * itself. It starts the lead process, then — once the lead has migrated the database and finished its
 * first-start work — the others; starts again any that dies (after a back-off); passes the followers' pushes
 * to the lead; routes the processes' questions to one another (ProcessPeers: the lead's RADIUS state, every
 * process's metrics); and on SIGINT or SIGTERM stops them all and exits. Resolves with the exit code.
 */
export function superviseProcesses(count: number, logger: Logger): Promise<number> {
  return new ProcessSupervisor(count, logger).run();
}

class ProcessSupervisor {
  private readonly slots: Slot[];
  private readonly pushes: PushQueue;
  private readonly questions = new Questions();
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
    this.pushes = new PushQueue(logger);
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
    worker.on('error', (err: Error) =>
      this.logger.warn({ index: slot.index, err: { message: err.message } }, 'server process channel error'),
    );
  }

  private onMessage(slot: Slot, m: ProcessMessage | null): void {
    switch (m?.pakawaaz) {
      case 'ready':
        slot.ready = true;
        return this.onReady(slot);
      case 'push':
        return this.pushes.forward(m.deviceIds);
      case 'ask':
        return this.questions.ask(slot, m, this.slots);
      case 'answer':
        return this.questions.answered(m);
      case 'asked':
      case 'answers':
      case undefined:
        return;
    }
  }

  private onReady(slot: Slot): void {
    const processPid = slot.worker?.process.pid;
    if (slot.index === 0) this.pushes.leadReady(slot.worker);
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
    if (slot.index === 0) this.pushes.leadGone();
    if (this.phase === 'stopping') {
      // One still starting when asked to stop has no handler yet and ends by the signal: a normal stop too.
      if (code !== 0 && signal !== 'SIGTERM' && signal !== 'SIGINT') this.exitCode = 1;
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

type Question = { from: Slot; id: number; to: 'lead' | 'all'; waiting: number; values: unknown[] };

/**
 * ProcessPeers' questions: asked of the lead, or of every process that serves, and answered to the asking
 * process with what came back within ANSWER_WAIT_MS (for the lead: null when nothing did).
 */
class Questions {
  private next = 0;
  private readonly open = new Map<number, Question>();

  ask(from: Slot, m: { id: number; key: string; to: 'lead' | 'all' }, slots: readonly Slot[]): void {
    const targets = (m.to === 'lead' ? slots.slice(0, 1) : slots).filter(
      (s) => s.ready && s.worker?.isConnected(),
    );
    const q: Question = { from, id: m.id, to: m.to, waiting: targets.length, values: [] };
    if (targets.length === 0) return this.reply(q);
    const id = this.next++;
    this.open.set(id, q);
    for (const t of targets) sendTo(t.worker, { pakawaaz: 'asked', id, key: m.key });
    setTimeout(() => this.close(id), ANSWER_WAIT_MS).unref();
  }

  answered(m: { id: number; ok: boolean; value?: unknown }): void {
    const q = this.open.get(m.id);
    if (!q) return;
    if (m.ok) q.values.push(m.value);
    if (--q.waiting === 0) this.close(m.id);
  }

  private close(id: number): void {
    const q = this.open.get(id);
    if (!q) return;
    this.open.delete(id);
    this.reply(q);
  }

  private reply(q: Question): void {
    const values = q.to === 'lead' && q.values.length === 0 ? null : q.values;
    sendTo(q.from.worker, { pakawaaz: 'answers', id: q.id, values });
  }
}

/**
 * The followers' pushes for the lead's MQTT broker: sent at once while the lead serves, kept (each device
 * once, up to MAX_WAITING_PUSHES) while it is down or starting again, and sent when it is back.
 */
class PushQueue {
  private lead: Worker | null = null;
  private readonly waiting = new Set<string>();
  private dropped = 0;

  constructor(private readonly logger: Logger) {}

  forward(deviceIds: readonly string[]): void {
    if (this.lead?.isConnected()) return sendTo(this.lead, { pakawaaz: 'push', deviceIds: [...deviceIds] });
    for (const id of deviceIds)
      if (this.waiting.size < MAX_WAITING_PUSHES) this.waiting.add(id);
      else this.dropped++;
  }

  leadReady(lead: Worker | null): void {
    this.lead = lead;
    if (this.dropped)
      this.logger.warn({ dropped: this.dropped }, 'pushes dropped while the lead process was away');
    this.dropped = 0;
    const ids = [...this.waiting];
    this.waiting.clear();
    for (const batch of pushBatches(ids)) this.forward(batch);
  }

  leadGone(): void {
    this.lead = null;
  }
}

function sendTo(worker: Worker | null, message: ProcessMessage): void {
  if (worker?.isConnected()) worker.send(message, (err: Error | null) => void err);
}
