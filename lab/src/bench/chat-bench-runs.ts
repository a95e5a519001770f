import type { BenchPair } from './chat-bench-groups.js';
import type { BenchSocket } from './chat-bench-socket.js';
import type { DatabaseCpu, DatabaseSpent } from './database-cpu.js';
import { fmtInt, fmtMs, processCpuSplit, quantile } from './load.js';

/**
 * The chat bench's measurements. Every delivery is timed from the moment its send frame left the sender to
 * the moment the receiver's `deliver` frame arrived (enqueue-to-deliver, through the server's durable queue);
 * both ends are sockets of this process, so one clock times them. A sender keeps one send in flight, so the
 * k-th application envelope of its 1:1 group is its k-th acknowledged send.
 */

/** Application envelopes by group id, with the time their frame arrived. */
export type DeliveryRouter = Map<string, (at: number) => void>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sorted = (values: number[]) => Float64Array.from(values).sort();
const q = (s: Float64Array, p: number) => fmtMs(quantile(s, p));

/** The server's process, or the nodes' of a cluster (their CPU summed). */
export type ServerPids = number | readonly number[];
const cpuOf = (pids: ServerPids) =>
  [pids].flat().reduce(
    (sum, pid) => {
      const c = processCpuSplit(pid);
      return { user: sum.user + c.user, system: sum.system + c.system };
    },
    { user: 0, system: 0 },
  );

/** What a run measures: the server's process(es) and, on PostgreSQL, the database's. */
export type Measured = { readonly server: ServerPids; readonly database?: DatabaseCpu };

/** Server CPU (from /proc), PostgreSQL's when measured, and this process's CPU over a measurement. */
export class CpuMeter {
  private readonly server0: { user: number; system: number };
  private readonly self0 = process.cpuUsage();
  private readonly t0 = performance.now();

  private constructor(
    private readonly serverPid: ServerPids,
    private readonly databaseEnd?: () => Promise<DatabaseSpent>,
  ) {
    this.server0 = cpuOf(serverPid);
  }

  static async start(m: Measured): Promise<CpuMeter> {
    return new CpuMeter(m.server, await m.database?.start());
  }

  /**
   * "server CPU … ms per <unit> (… cores); PostgreSQL …; server and PostgreSQL together …; generator …" for
   * `count` operations.
   */
  async line(count: number, unit: string): Promise<string> {
    const database = await this.databaseEnd?.();
    const wall = (performance.now() - this.t0) / 1000;
    const now = cpuOf(this.serverPid);
    const [user, system] = [now.user - this.server0.user, now.system - this.server0.system];
    const server = user + system;
    const self = process.cpuUsage(this.self0);
    const gen = (self.user + self.system) / 1e6;
    const per = (s: number) => `${((s * 1000) / Math.max(1, count)).toFixed(3)} ms per ${unit}`;
    const cores = (s: number) => `${(s / wall).toFixed(2)} cores`;
    const split = `${((user * 1000) / Math.max(1, count)).toFixed(3)} user + ${((system * 1000) / Math.max(1, count)).toFixed(3)} system`;
    const srv = Number.isNaN(server)
      ? 'server CPU n/a'
      : `server CPU ${per(server)} (${split}; ${cores(server)})`;
    const db =
      database === undefined
        ? ''
        : `; PostgreSQL CPU ${per(database.cpu)} (${cores(database.cpu)}; autovacuum ${per(database.autovacuum)}, ` +
          `WAL writer ${per(database.walWriter)}; ${(database.commits / Math.max(1, count)).toFixed(2)} ` +
          `transactions a ${unit}); server and PostgreSQL together ${per(server + database.cpu)}`;
    return `${srv}${db}; load generator CPU ${per(gen)} (${cores(gen)}), reported apart`;
  }
}

type Flow = { pair: BenchPair; sentAt: number[]; got: number; n: number };

export type OneToOneOptions = {
  readonly seconds: number;
  readonly maxMessages: number;
  /** Sends in flight at most (each sender has at most one: its deliveries then come in send order). */
  readonly inFlight: number;
  /** Offered rate in messages/s (a fixed schedule); unset: as fast as they are acknowledged. */
  readonly ratePerSecond?: number;
  readonly tag: string;
};

export type OneToOneResult = { perSecond: number; line: string };

/**
 * 1:1 messages from the pairs' senders to their receivers: `inFlight` workers each take the next idle sender
 * (round robin), send its message, and put it back when acknowledged; the figures of the run as one line.
 */
export async function oneToOne(
  pairs: readonly BenchPair[],
  router: DeliveryRouter,
  measured: Measured,
  o: OneToOneOptions,
): Promise<OneToOneResult> {
  const idle: Flow[] = pairs.map((pair) => ({ pair, sentAt: [], got: 0, n: 0 }));
  const deliveries: number[] = [];
  const acks: number[] = [];
  const errors: string[] = [];
  let failures = 0;
  for (const f of idle)
    router.set(f.pair.groupId, (at) => {
      const t = f.sentAt[f.got++];
      if (t !== undefined) deliveries.push(at - t);
    });
  const cpu = await CpuMeter.start(measured);
  const started = performance.now();
  const deadline = started + o.seconds * 1000;
  let issued = 0;
  const worker = async () => {
    while (issued < o.maxMessages) {
      const due = o.ratePerSecond ? started + (issued * 1000) / o.ratePerSecond : 0;
      if (due >= deadline) break;
      issued++;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (performance.now() >= deadline) break;
      const f = idle.shift();
      if (!f) break; // more workers than senders
      const t0 = performance.now();
      f.sentAt.push(t0);
      try {
        await (f.pair.sender.socket as BenchSocket).send(
          f.pair.groupId,
          f.pair.message,
          `${o.tag}-${f.n++}-${f.pair.groupId}`,
        );
        acks.push(performance.now() - t0);
      } catch (e) {
        f.sentAt.pop(); // refused: nothing was queued
        failures++;
        if (errors.length < 5) errors.push(e instanceof Error ? e.message : String(e));
      }
      idle.push(f);
    }
  };
  await Promise.all(Array.from({ length: o.inFlight }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const sent = acks.length;
  const drainUntil = performance.now() + 30_000;
  while (deliveries.length < sent && performance.now() < drainUntil) await sleep(20);
  for (const f of idle) router.delete(f.pair.groupId);
  const perSecond = sent / elapsed;
  const a = sorted(acks);
  const d = sorted(deliveries);
  const failed = failures ? `, ${fmtInt(failures)} FAILED (${errors.join(' | ')})` : '';
  const lost = sent - deliveries.length ? `, ${fmtInt(sent - deliveries.length)} NOT DELIVERED in 30 s` : '';
  return {
    perSecond,
    line:
      `${fmtInt(perSecond)} messages/s acknowledged (${fmtInt(sent)} in ${elapsed.toFixed(1)} s${failed}${lost}); ` +
      `send→ack p50 ${q(a, 0.5)}, p99 ${q(a, 0.99)}; enqueue→deliver p50 ${q(d, 0.5)}, p95 ${q(d, 0.95)}, ` +
      `p99 ${q(d, 0.99)}, max ${q(d, 1)}; ${await cpu.line(sent, 'message')}`,
  };
}

/**
 * One message at a time to a large group: the time from the send frame to the last member's delivery, for
 * each of `messages` ciphertexts.
 */
export async function fanOut(
  group: { groupId: string; owner: { socket?: BenchSocket }; messages: readonly string[] },
  recipients: number,
  router: DeliveryRouter,
  measured: Measured,
  tag: string,
): Promise<string> {
  const toLast: number[] = [];
  const toFirst: number[] = [];
  const cpu = await CpuMeter.start(measured);
  for (const [i, message] of group.messages.entries()) {
    let left = recipients;
    const t0 = performance.now();
    const last = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${left} members still waiting after 60 s`)), 60_000);
      router.set(group.groupId, (at) => {
        if (left === recipients) toFirst.push(at - t0);
        if (--left === 0) {
          clearTimeout(timer);
          resolve(at);
        }
      });
    });
    await group.owner.socket!.send(group.groupId, message, `${tag}-${i}`);
    toLast.push((await last) - t0);
  }
  router.delete(group.groupId);
  const l = sorted(toLast);
  const f = sorted(toFirst);
  return (
    `${group.messages.length} messages one after another to ${fmtInt(recipients)} members each: ` +
    `to the last member p50 ${q(l, 0.5)}, p99 ${q(l, 0.99)}, max ${q(l, 1)}; to the first p50 ${q(f, 0.5)}; ` +
    `${await cpu.line(group.messages.length * recipients, 'delivery')}`
  );
}
