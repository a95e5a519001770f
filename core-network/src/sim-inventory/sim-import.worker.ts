/**
 * A SIM import worker thread: the CPU-heavy part of an import, one block of lines at a time — open the sealed
 * block, parse and validate its rows, derive OPc from OP where needed, fingerprint K‖OPc and seal K and OPc
 * under the job's data key. The keys arrive with each task and live only in this thread's memory; nothing
 * here logs. (A worker imports only relative modules and npm packages: types come from the platform.)
 */
import { parentPort } from 'node:worker_threads';
import type { WorkerTaskReply } from '@pakawaaz/platform';
import { aad, fingerprint, open, seal } from '../crypto/envelope.js';
import { computeOpc } from '../milenage/milenage.js';
import { headerFields, mapHeader, parseSimBlock, type RowProblem } from './sim-csv.js';

export type SimBlockTask = {
  sealed: Uint8Array;
  /** The AAD the block was sealed with (binds it to its job and place). */
  blockAad: string;
  /** The job's data key and the SIM fingerprint key (plaintext: never logged, never stored). */
  key: Uint8Array;
  macKey: Uint8Array;
  header: string;
  firstLine: number;
  fromLine: number;
  plmn: { mcc: string; mnc: string };
};

/** A valid row, ready to store: K and OPc sealed, their fingerprint computed. */
export type SealedSimRow = {
  line: number;
  imsi: string;
  iccid: string | null;
  msisdn: string | null;
  batch: string | null;
  secretsMac: string;
  kEnc: Uint8Array;
  opcEnc: Uint8Array;
};

export type SimBlockResult = { rows: SealedSimRow[]; problems: RowProblem[] };

const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export function processBlock(task: SimBlockTask): SimBlockResult {
  const key = buf(task.key);
  const macKey = buf(task.macKey);
  const bytes = open(key, buf(task.sealed), task.blockAad);
  const { columns, format } = mapHeader(headerFields(Buffer.from(task.header, 'utf8')));
  const parsed = parseSimBlock(
    { bytes, firstLine: task.firstLine, fromLine: task.fromLine, columns, format },
    { ...task.plmn, computeOpc },
  );
  const rows = parsed.rows.map((r) => ({
    line: r.line,
    imsi: r.imsi,
    iccid: r.iccid,
    msisdn: r.msisdn,
    batch: r.batch,
    secretsMac: fingerprint(macKey, r.k, r.opc),
    kEnc: seal(key, r.k, aad.simField(r.imsi, 'k')),
    opcEnc: seal(key, r.opc, aad.simField(r.imsi, 'opc')),
  }));
  return { rows, problems: parsed.problems };
}

parentPort?.on('message', (task: SimBlockTask) => {
  let reply: WorkerTaskReply<SimBlockResult>;
  try {
    reply = { ok: true, output: processBlock(task) };
  } catch (err) {
    // GCM failures and header errors carry no secret; the message is all that crosses back.
    reply = { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
