/**
 * The embedded database's thread: hosts PGlite (PostgreSQL compiled to WASM, which runs every statement
 * synchronously on the thread that owns it) and serves the PostgreSQL wire protocol to the main thread over
 * MessagePorts, so a long statement never stops the event loop that answers HTTP and RADIUS.
 *
 * PGlite is one database session: connections are served one at a time, whole (a second connection waits until
 * the first has ended), and the session is reset between them — an open transaction rolled back, prepared
 * statements, settings and advisory locks discarded — so nothing of one connection leaks into the next.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { FrontendFramer, type FrontendFrame } from './pg-wire-framing.js';

export type PgliteWorkerData = { dir: string | null; postgresqlconf: string[] };
export type PgliteWorkerRequest = { type: 'connect'; port: MessagePort } | { type: 'close' };
export type PgliteWorkerReply = { type: 'ready' } | { type: 'closed' } | { type: 'fatal'; message: string };

type Connection = { port: MessagePort; framer: FrontendFramer; frames: FrontendFrame[]; ended: boolean };

/** Sync ends an extended-protocol exchange cut off by a dropped connection (no-op otherwise). */
const SYNC = Uint8Array.of(0x53, 0, 0, 0, 4);
/** The reply to SSLRequest/GSSENCRequest: "not supported, go on in plain text" (a MessagePort never leaves the process). */
const NO_ENCRYPTION = Uint8Array.of(0x4e);

const port = parentPort!;
const data = workerData as PgliteWorkerData;
const options = { postgresqlconf: data.postgresqlconf };
const db = data.dir === null ? new PGlite(options) : new PGlite(data.dir, options);

const waiting: Connection[] = [];
let active: Connection | undefined;
let running: Promise<void> | undefined;
let closing = false;
let closed = false;

function fatal(err: unknown): never {
  port.postMessage({
    type: 'fatal',
    message: err instanceof Error ? err.message : String(err),
  } satisfies PgliteWorkerReply);
  throw err;
}

/** Runs the queue until it has nothing to do; one runner at a time keeps the single session serial. */
function pump(): void {
  // Connections that end after close() (their port's close can arrive after it) have nothing left to reset.
  if (closed) return;
  running ??= serve()
    .catch(fatal)
    .finally(() => {
      running = undefined;
      if (waiting.length > 0 || (active && (active.frames.length > 0 || active.ended))) pump();
    });
}

async function serve(): Promise<void> {
  for (;;) {
    active ??= waiting.shift();
    const conn = active;
    if (!conn) return;
    const frames = conn.frames.splice(0);
    if (frames.length === 0) {
      if (!conn.ended) return;
      active = undefined;
      await resetSession();
      continue;
    }
    await execute(conn, frames);
  }
}

async function execute(conn: Connection, frames: FrontendFrame[]): Promise<void> {
  let batch: Buffer[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const reply = await db.execProtocolRaw(batch.length === 1 ? batch[0]! : Buffer.concat(batch));
    batch = [];
    if (reply.length > 0 && !conn.ended) conn.port.postMessage(reply);
  };
  for (const frame of frames) {
    switch (frame.kind) {
      case 'startup':
        await flush();
        await db.execProtocolRaw(frame.bytes).then((r) => conn.ended || conn.port.postMessage(r));
        break;
      case 'message':
        batch.push(frame.bytes);
        break;
      case 'encryption-request':
        conn.port.postMessage(NO_ENCRYPTION);
        break;
      case 'cancel':
      case 'terminate':
        conn.ended = true;
        break;
    }
  }
  await flush();
  if (conn.ended) conn.port.close();
}

async function resetSession(): Promise<void> {
  await db.execProtocolRaw(SYNC);
  if (db.isInTransaction()) await db.exec('rollback');
  await db.exec('discard all');
}

function connect(conn: Connection): void {
  conn.port.on('message', (chunk: Uint8Array) => {
    if (conn.ended) return;
    try {
      conn.frames.push(...conn.framer.push(chunk));
    } catch {
      // A client that breaks the framing gets its connection closed; the session is reset as after any end.
      conn.ended = true;
      conn.port.close();
    }
    pump();
  });
  conn.port.on('close', () => {
    conn.ended = true;
    pump();
  });
  waiting.push(conn);
}

port.on('message', (msg: PgliteWorkerRequest) => {
  if (msg.type === 'connect') {
    if (closing) msg.port.close();
    else connect({ port: msg.port, framer: new FrontendFramer(), frames: [], ended: false });
    return;
  }
  closing = true;
  void (async () => {
    await running;
    closed = true;
    await db.close();
    port.postMessage({ type: 'closed' } satisfies PgliteWorkerReply);
    port.close();
  })().catch(fatal);
});

try {
  await db.waitReady;
  port.postMessage({ type: 'ready' } satisfies PgliteWorkerReply);
} catch (err) {
  fatal(err);
}
