/**
 * A SIM import worker thread: the CPU-heavy part of an import, one block of lines at a time — open the sealed
 * block, parse and validate its rows, derive OPc from OP where needed, and seal K and OPc under the job's data
 * key. The data key arrives with each task and lives only in this thread's memory; nothing here logs. The
 * fingerprint of K‖OPc is keyed by the KEK set's MAC key, which may live in an HSM: the service computes it
 * (one HMAC a row) from the K and OPc handed back. (A worker imports only relative modules and pure packages.)
 */
import { parentPort } from 'node:worker_threads';
import { computeOpc } from '@pakawaaz/milenage';
import type { WorkerTaskReply } from '@pakawaaz/platform';
import { openImportBlock, sealSimField } from '../crypto/sim-sealing.js';
import { simHeaderFields, mapHeader, parseSimBlock, type RowProblem } from './sim-csv.js';

export type SimBlockTask = {
  jobId: string;
  seq: number;
  sealed: Uint8Array;
  /** The job's data key (plaintext: never logged, never stored). */
  dataKeyId: string;
  key: Uint8Array;
  header: string;
  firstLine: number;
  fromLine: number;
  plmn: { mcc: string; mnc: string };
};

/** A valid row, ready to store once fingerprinted: K and OPc sealed, and in clear for the fingerprint. */
export type ParsedSimRow = {
  line: number;
  imsi: string;
  iccid: string | null;
  msisdn: string | null;
  batch: string | null;
  k: Uint8Array;
  opc: Uint8Array;
  kEnc: Uint8Array;
  opcEnc: Uint8Array;
};

export type SimBlockResult = { rows: ParsedSimRow[]; problems: RowProblem[] };

const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export function processBlock(task: SimBlockTask): SimBlockResult {
  const dek = { id: task.dataKeyId, key: buf(task.key) };
  const bytes = openImportBlock(dek, task.jobId, task.seq, task.sealed);
  const { columns, format } = mapHeader(simHeaderFields(Buffer.from(task.header, 'utf8')));
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
    k: r.k,
    opc: r.opc,
    kEnc: sealSimField(dek, r.imsi, 'k', r.k),
    opcEnc: sealSimField(dek, r.imsi, 'opc', r.opc),
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
