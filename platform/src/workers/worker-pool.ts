import { availableParallelism } from 'node:os';
import type { Transferable, Worker } from 'node:worker_threads';
import { startWorker } from './worker-script.js';

/** A worker thread ended while it held a task (crash, out of memory, terminated): the task did not finish. */
export class WorkerCrashedError extends Error {
  override name = 'WorkerCrashedError';
}

/** A task ran past the pool's `taskTimeoutMs`: its worker was terminated (and is replaced for the next task). */
export class WorkerTimeoutError extends WorkerCrashedError {
  override name = 'WorkerTimeoutError';
}

type Task = {
  input: unknown;
  transfer: readonly Transferable[];
  resolve: (output: unknown) => void;
  reject: (err: Error) => void;
};
type Slot = { worker: Worker; task: Task | undefined; timer?: NodeJS.Timeout | undefined };

/**
 * The nice value of a background pool's threads (bulk imports): on a small host they then take only the CPU
 * that the event loop (HTTP, RADIUS) and the database leave, instead of an equal share. Interactive pools
 * (attestation at enrolment) keep the normal priority.
 */
export const BACKGROUND_NICE = 10;
/**
 * What a pool worker posts back for each task it is given (one at a time): its output, or the message of the
 * error it threw — never a stack or the input, which may hold secrets. Worker modules import this type only
 * (a worker imports no workspace at run time).
 */
export type WorkerTaskReply<Out = unknown> = { ok: true; output: Out } | { ok: false; message: string };
type Reply = WorkerTaskReply;

/**
 * The CPU-heavy work of bulk jobs, on a small fixed pool of worker threads so the event loop that answers
 * HTTP and RADIUS stays free. One task per worker at a time; callers bound how many they queue (back-pressure
 * is theirs: await before submitting more). A worker that dies rejects its task with WorkerCrashedError and
 * is replaced for the next task. (No pool library: piscina would bring a native optional dependency for what
 * is a queue and a few threads.)
 */
export class WorkerPool<In, Out> {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private closed = false;
  readonly size: number;

  constructor(
    private readonly callerUrl: string,
    private readonly script: string,
    options: {
      size?: number;
      name: string;
      priority?: 'normal' | 'background';
      /** A task still running after this long is abandoned and its worker terminated (hostile input). */
      taskTimeoutMs?: number;
    },
  ) {
    // Leave a core to the event loop (and on the embedded default, one more to the database's thread).
    this.size = options.size ?? Math.max(1, Math.min(4, availableParallelism() - 1));
    this.name = options.name;
    this.nice = options.priority === 'background' ? BACKGROUND_NICE : undefined;
    this.taskTimeoutMs = options.taskTimeoutMs;
  }

  private readonly taskTimeoutMs: number | undefined;

  private readonly name: string;
  private readonly nice: number | undefined;

  /** Runs one task on the next free worker. */
  run(input: In, transfer: readonly Transferable[] = []): Promise<Out> {
    if (this.closed) return Promise.reject(new Error(`the ${this.name} worker pool is closed`));
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ input, transfer, resolve: resolve as (o: unknown) => void, reject });
      this.dispatch();
    });
  }

  /** Tasks waiting for a worker (not counting those running). */
  get queued(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(new Error(`the ${this.name} worker pool is closed`));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.task);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const task = this.queue.shift()!;
      slot.task = task;
      if (this.taskTimeoutMs !== undefined)
        slot.timer = setTimeout(() => this.expire(slot), this.taskTimeoutMs).unref();
      slot.worker.postMessage(task.input, task.transfer);
    }
  }

  /** The slot's task overran: reject it, drop the slot and terminate its thread (its exit finds no task). */
  private expire(slot: Slot): void {
    const task = slot.task;
    const i = this.slots.indexOf(slot);
    if (!task || i < 0) return;
    slot.task = undefined;
    this.slots.splice(i, 1);
    task.reject(
      new WorkerTimeoutError(`a ${this.name} task ran longer than ${this.taskTimeoutMs} ms and was stopped`),
    );
    void slot.worker.terminate();
    if (!this.closed) this.dispatch();
  }

  private spawn(): Slot {
    const worker = startWorker(this.callerUrl, this.script, {
      name: `pakawaaz-${this.name}`,
      nice: this.nice,
    });
    const slot: Slot = { worker, task: undefined };
    worker.on('message', (reply: Reply) => {
      clearTimeout(slot.timer);
      const task = slot.task;
      slot.task = undefined;
      if (reply.ok) task?.resolve(reply.output);
      else task?.reject(new Error(reply.message));
      this.dispatch();
    });
    const died = (why: string) => {
      clearTimeout(slot.timer);
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      this.slots.splice(i, 1);
      slot.task?.reject(new WorkerCrashedError(`a ${this.name} worker thread stopped: ${why}`));
      slot.task = undefined;
      if (!this.closed) this.dispatch();
    };
    worker.on('error', (err) => died(err.message || String(err)));
    worker.on('exit', (code) => died(`exit code ${code}`));
    this.slots.push(slot);
    return slot;
  }
}
