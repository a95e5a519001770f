/**
 * Admission to the chat's MLS worker threads, one lane per kind of work (KeyPackage batches, commit checks):
 * each lane has its own bounded queue and a cap on the workers it may hold, and free workers are handed out
 * round-robin among the lanes with work, so a flood of one kind neither starves the other nor grows memory
 * without bound. Over a lane's queue bound a task is refused at once, and one still waiting for a worker when
 * its lane's `maxWaitMs` elapses (a timer, not only checked at dispatch) is taken out of the queue and refused,
 * both with MlsLaneBusyError (the service answers 503 with Retry-After). Pure: the runner is given.
 */
export class MlsLaneBusyError extends Error {
  override name = 'MlsLaneBusyError';
}

export type LaneLimits = {
  /** Tasks that may wait for a worker; one more is refused at once. */
  maxQueued: number;
  /** A task still waiting for a worker after this is dropped and refused (its caller has likely given up). */
  maxWaitMs: number;
  /** Workers the lane may hold at once (less than all of them leaves the other lanes a worker). */
  maxRunning: number;
};

type Waiting = {
  task: unknown;
  timer: ReturnType<typeof setTimeout>;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
};

export class MlsLanes<Lane extends string> {
  private readonly queues = new Map<Lane, Waiting[]>();
  private readonly running = new Map<Lane, number>();
  private readonly order: Lane[];
  private next = 0;
  private busy = 0;

  constructor(
    private readonly run: (task: unknown) => Promise<unknown>,
    private readonly workers: number,
    private readonly limits: Readonly<Record<Lane, LaneLimits>>,
  ) {
    this.order = Object.keys(limits) as Lane[];
    for (const lane of this.order) {
      this.queues.set(lane, []);
      this.running.set(lane, 0);
    }
  }

  /** Runs `task` on a worker when its lane's turn comes; refused at once when the lane's queue is full. */
  submit(lane: Lane, task: unknown): Promise<unknown> {
    const queue = this.queues.get(lane)!;
    if (queue.length >= this.limits[lane].maxQueued)
      return Promise.reject(new MlsLaneBusyError(`the ${lane} queue is full`));
    return new Promise((resolve, reject) => {
      const waiting: Waiting = { task, resolve, reject, timer: undefined as never };
      waiting.timer = setTimeout(() => {
        const at = queue.indexOf(waiting);
        if (at < 0) return; // dispatched meanwhile
        queue.splice(at, 1);
        reject(new MlsLaneBusyError(`a ${lane} task waited too long for a worker`));
      }, this.limits[lane].maxWaitMs);
      waiting.timer.unref?.();
      queue.push(waiting);
      this.dispatch();
    });
  }

  /** Tasks waiting in a lane (not counting those running). */
  queued(lane: Lane): number {
    return this.queues.get(lane)!.length;
  }

  private dispatch(): void {
    while (this.busy < this.workers) {
      const lane = this.pick();
      if (lane === undefined) return;
      const waiting = this.queues.get(lane)!.shift()!;
      clearTimeout(waiting.timer);
      this.busy++;
      this.running.set(lane, this.running.get(lane)! + 1);
      void this.run(waiting.task)
        .then(waiting.resolve, waiting.reject)
        .finally(() => {
          this.busy--;
          this.running.set(lane, this.running.get(lane)! - 1);
          this.dispatch();
        });
    }
  }

  /** The next lane, round-robin, with a task waiting and a worker it may still take. */
  private pick(): Lane | undefined {
    for (let i = 0; i < this.order.length; i++) {
      const lane = this.order[(this.next + i) % this.order.length]!;
      if (this.queues.get(lane)!.length > 0 && this.running.get(lane)! < this.limits[lane].maxRunning) {
        this.next = (this.next + i + 1) % this.order.length;
        return lane;
      }
    }
    return undefined;
  }
}
