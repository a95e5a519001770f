import type { Db } from '@pakawaaz/platform';
import type { RowProblem } from './sim-csv.js';
import type { ParsedSimRow } from './sim-import.worker.js';
import type { SimInventoryRepository, SimImportJobRow } from './sim-inventory.repository.js';
import type { SimImportError } from './sims.schema.js';

/**
 * Lines per transaction: a crash loses at most one chunk of work, never half a chunk. On the embedded database
 * a chunk's transaction holds its one connection, and every statement of a sign-in that arrives meanwhile
 * waits for it: there the chunks are small, so that wait stays short; PostgreSQL serves others beside them,
 * but each chunk's statement is still built, sent and answered on the event loop — 100 lines rather than 250
 * took the sign-in p99 during the largest import from ~99 ms to ~73–85 ms; on the embedded database, 25 rather
 * than 50 from ~81–90 ms to ~62–68 ms, for an import ~75 % longer (docs/operations.md).
 */
export const IMPORT_CHUNK_ROWS = { postgresql: 100, embedded: 25 } as const;
/** Per-row problems kept on a job (the counters are always complete). */
const MAX_STORED_ERRORS = 1_000;

/** A row ready to store: sealed, fingerprinted, its clear K and OPc dropped. */
export type SealedSimRow = Omit<ParsedSimRow, 'k' | 'opc'> & { secretsMac: string };

export type ImportChunk = { rows: SealedSimRow[]; problems: RowProblem[]; lastLine: number };

/** A parsed block's rows and problems in line order, cut into chunks of `size` lines. */
export function splitIntoChunks(
  result: { rows: SealedSimRow[]; problems: RowProblem[] },
  size: number,
): ImportChunk[] {
  const lines = [
    ...result.rows.map((row) => ({ line: row.line, row })),
    ...result.problems.map((problem) => ({ line: problem.line, problem })),
  ].sort((a, b) => a.line - b.line);
  const chunks: ImportChunk[] = [];
  for (let i = 0; i < lines.length; i += size) {
    const slice = lines.slice(i, i + size);
    chunks.push({
      rows: slice.flatMap((l) => ('row' in l ? [l.row] : [])),
      problems: slice.flatMap((l) => ('problem' in l ? [l.problem] : [])),
      lastLine: slice.at(-1)!.line,
    });
  }
  return chunks;
}

type Outcome = { imported: number; duplicates: number; conflicts: number; errors: SimImportError[] };
type KnownSim = { iccid: string | null; msisdn: string | null; secretsMac: string };
const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** Stores one chunk and the job's progress in `tx` (the caller's transaction makes them all-or-nothing). */
export async function commitChunk(
  tx: Db,
  repo: SimInventoryRepository,
  job: SimImportJobRow,
  rows: SealedSimRow[],
  problems: RowProblem[],
  lastLine: number,
): Promise<void> {
  const outcome = await importRows(tx, repo, job, rows);
  const current = (await repo.jobProgress(job.id, tx))!;
  const errors = [...current.errors, ...problems, ...outcome.errors]
    .sort((a, b) => a.line - b.line)
    .slice(0, MAX_STORED_ERRORS);
  await repo.updateJob(tx, job.id, {
    committedLines: lastLine,
    imported: current.imported + outcome.imported,
    duplicates: current.duplicates + outcome.duplicates,
    conflicts: current.conflicts + outcome.conflicts,
    invalid: current.invalid + problems.length,
    errors,
  });
}

/** Same SIM again (IMSI, ICCID, MSISDN and secrets equal) is a duplicate; any difference is a conflict. */
async function importRows(
  tx: Db,
  repo: SimInventoryRepository,
  job: SimImportJobRow,
  rows: SealedSimRow[],
): Promise<Outcome> {
  const out: Outcome = { imported: 0, duplicates: 0, conflicts: 0, errors: [] };
  const byImsi = new Map<string, KnownSim>(
    (
      await repo.existingByImsi(
        tx,
        rows.map((r) => r.imsi),
      )
    ).map((s) => [s.imsi, s]),
  );
  const iccidOwner = new Map(
    (
      await repo.existingByIccid(
        tx,
        rows.flatMap((r) => r.iccid ?? []),
      )
    ).map((s) => [s.iccid, s.imsi]),
  );
  const fresh = [];
  for (const row of rows) {
    const existing = byImsi.get(row.imsi);
    if (existing) {
      const same =
        existing.secretsMac === row.secretsMac &&
        existing.iccid === row.iccid &&
        (row.msisdn === null || existing.msisdn === row.msisdn);
      if (same) out.duplicates++;
      else {
        out.conflicts++;
        out.errors.push({
          line: row.line,
          imsi: row.imsi,
          reason: 'conflict: this IMSI is already in the inventory with different data',
        });
      }
      continue;
    }
    const owner = row.iccid === null ? undefined : iccidOwner.get(row.iccid);
    if (owner !== undefined) {
      out.conflicts++;
      out.errors.push({
        line: row.line,
        imsi: row.imsi,
        reason: `conflict: ICCID already belongs to IMSI ${owner}`,
      });
      continue;
    }
    byImsi.set(row.imsi, { iccid: row.iccid, msisdn: row.msisdn, secretsMac: row.secretsMac });
    if (row.iccid !== null) iccidOwner.set(row.iccid, row.imsi);
    fresh.push({
      imsi: row.imsi,
      iccid: row.iccid,
      msisdn: row.msisdn,
      batch: row.batch,
      dataKeyId: job.dataKeyId,
      secretsMac: row.secretsMac,
      importJobId: job.id,
      kEnc: buf(row.kEnc),
      opcEnc: buf(row.opcEnc),
    });
    out.imported++;
  }
  await repo.insertSims(tx, fresh);
  return out;
}
