/**
 * A user import worker thread: parses and validates one block of an officials file and draws an enrolment
 * code (and its hash) for every valid row — the service keeps the codes of the rows it creates. Nothing here
 * logs. (A worker imports only relative modules, node: built-ins and pure faces such as @pakawaaz/platform/csv.)
 */
import { parentPort } from 'node:worker_threads';
import type { WorkerTaskReply } from '@pakawaaz/platform';
import { headerFields } from '@pakawaaz/platform/csv';
import { enrolmentCodeHash, newEnrolmentCode } from './enrolment-code.js';
import {
  mapOfficialHeader,
  parseOfficialBlock,
  type OfficialProblem,
  type OfficialRow,
} from './official-csv.js';

export type UserBlockTask = { data: Uint8Array; header: string; firstLine: number; fromLine: number };
export type CodedOfficialRow = OfficialRow & { code: string; codeHash: string };
export type UserBlockResult = { rows: CodedOfficialRow[]; problems: OfficialProblem[] };

export function processUserBlock(task: UserBlockTask): UserBlockResult {
  const columns = mapOfficialHeader(headerFields(Buffer.from(task.header, 'utf8')));
  const parsed = parseOfficialBlock({
    bytes: task.data,
    firstLine: task.firstLine,
    fromLine: task.fromLine,
    columns,
  });
  const rows = parsed.rows.map((r) => {
    const code = newEnrolmentCode();
    return { ...r, code, codeHash: enrolmentCodeHash(code) };
  });
  return { rows, problems: parsed.problems };
}

parentPort?.on('message', (task: UserBlockTask) => {
  let reply: WorkerTaskReply<UserBlockResult>;
  try {
    reply = { ok: true, output: processUserBlock(task) };
  } catch (err) {
    reply = { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
