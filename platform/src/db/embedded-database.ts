import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Duplex } from 'node:stream';
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import pg from 'pg';
import { quietTurns } from './background-turn.js';
import type { Logger } from 'pino';
import { startWorker } from '../workers/worker-script.js';
import { lockDataDir } from './data-dir-lock.js';
import { missingWasmFlags } from './wasm-flags.js';
import type { PgliteWorkerData, PgliteWorkerReply, PgliteWorkerRequest } from './pglite.worker.js';

/**
 * A pg connection's socket, made of a MessagePort to the database worker. Writes made in one tick (pg writes
 * Parse, Bind, Describe, Execute and Sync separately) travel as one message: one thread hop per statement.
 */
class WorkerPortStream extends Duplex {
  private pending: Buffer[] = [];

  constructor(
    private readonly port: MessagePort,
    private readonly failure: () => Error | undefined,
  ) {
    super();
    port.on('message', (reply: Uint8Array) =>
      this.push(Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength)),
    );
    port.on('close', () => this.push(null));
  }

  // The net.Socket methods pg calls on its stream.
  connect(): this {
    const failure = this.failure();
    process.nextTick(() => (failure ? this.destroy(failure) : this.emit('connect')));
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.pending.push(chunk);
    if (this.pending.length === 1) queueMicrotask(() => this.flush());
    callback(this.failure());
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const bytes = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    this.port.postMessage(bytes);
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.flush();
    this.port.close();
    callback();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.port.close();
    callback(err);
  }
}

export type EmbeddedDatabase = {
  pool: pg.Pool;
  /** Resolves when background work may take the one connection (see background-turn.ts). */
  backgroundTurn(): Promise<void>;
  /** The database's thread (tests stop it to play a crash). */
  worker: Worker;
  location: string;
  /** Why the worker stopped, once it has; every query then fails at once with this error. */
  failure(): Error | undefined;
  close(): Promise<void>;
};

export type OpenEmbeddedOptions = {
  dataDir: string;
  logger: Logger;
  /** Called once when the worker dies while the database is open (not on close()). */
  onFailure?: ((err: Error) => void) | undefined;
};

const CLOSE_TIMEOUT_MS = 10_000;

/**
 * Opens PGlite in a worker thread and returns a one-connection pg pool to it: the same driver path as
 * PostgreSQL (drizzle's node-postgres), and PGlite's single session maps to the single pooled connection.
 */
export async function openEmbedded({
  dataDir,
  logger,
  onFailure,
}: OpenEmbeddedOptions): Promise<EmbeddedDatabase> {
  let dir: string | null = null;
  let release = async () => {};
  if (dataDir !== 'memory://') {
    dir = path.join(dataDir, 'db');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    release = await lockDataDir(path.join(dataDir, 'db.lock'));
  }
  const location = dir ? `embedded (${dir})` : 'embedded (in memory)';
  // A first start initialises the database (a few seconds): say so before the wait, not after.
  logger.info({ location }, 'opening the embedded database');
  const missing = missingWasmFlags();
  if (missing.length > 0)
    logger.warn(
      { missing },
      `start node with ${missing.join(' ')} (npm start does): without it, V8 can crash this process when the embedded database's thread stops (platform/src/db/wasm-flags.ts)`,
    );
  // PGlite's WASM runtime costs ~600 MB RSS whatever we do; Postgres' default 128 MB of shared buffers on top
  // is more than an embedded single-node install needs.
  const workerData: PgliteWorkerData = { dir, postgresqlconf: ['shared_buffers=32MB', 'wal_buffers=1MB'] };
  const worker = startWorker(import.meta.url, 'pglite.worker', { workerData, name: 'pakawaaz-pglite' });
  const streams = new Set<WorkerPortStream>();
  let failure: Error | undefined;
  let closing = false;
  const fail = (reason: string) => {
    if (failure || closing) return;
    failure = new Error(`The embedded database (PGlite worker thread) stopped: ${reason}`);
    for (const s of streams) s.destroy(failure);
    logger.error({ reason }, 'the embedded database stopped; restart the server');
    onFailure?.(failure);
  };
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  worker.on('error', (err) => fail(err.message || String(err)));
  void exited.then((code) => fail(`the thread exited (code ${code})`));
  try {
    await waitForReady(worker, exited);
  } catch (err) {
    await worker.terminate();
    await release();
    throw err;
  }

  const pool = new pg.Pool({
    max: 1,
    // Never drop the one connection when idle; never time out a caller waiting behind a long transaction.
    idleTimeoutMillis: 0,
    user: 'postgres',
    database: 'postgres',
    application_name: 'pakawaaz',
    stream: () => {
      const { port1, port2 } = new MessageChannel();
      const stream = new WorkerPortStream(port1, () => failure);
      streams.add(stream);
      stream.once('close', () => streams.delete(stream));
      if (!failure)
        worker.postMessage({ type: 'connect', port: port2 } satisfies PgliteWorkerRequest, [port2]);
      return stream;
    },
  });
  pool.on('error', (err) =>
    logger.warn({ err: { message: err.message } }, 'embedded database connection lost'),
  );
  const backgroundTurn = quietTurns(pool);

  return {
    pool,
    worker,
    location,
    failure: () => failure,
    backgroundTurn,
    async close() {
      await pool.end().catch(() => undefined);
      closing = true;
      if (!failure) {
        worker.postMessage({ type: 'close' } satisfies PgliteWorkerRequest);
        const timer = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      await release();
    },
  };
}

function waitForReady(worker: Worker, exited: Promise<number>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onMessage = (msg: PgliteWorkerReply) => {
      if (msg.type === 'ready') resolve();
      else if (msg.type === 'fatal')
        reject(new Error(`The embedded database could not start: ${msg.message}`));
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    void exited.then((code) =>
      reject(new Error(`The embedded database thread exited during start-up (code ${code})`)),
    );
  }).finally(() => worker.removeAllListeners('message'));
}
