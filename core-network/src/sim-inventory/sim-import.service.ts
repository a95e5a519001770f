import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  AuditService,
  DATABASE,
  DataKeyService,
  LOGGER,
  type DatabaseHandle,
  type Db,
  type Logger,
  type Principal,
} from '@pakawaaz/platform';
import { computeOpc } from '@pakawaaz/milenage';
import { CORE_NETWORK_CONFIG, type CoreNetworkConfig } from '../core-network.config.js';
import {
  openImportSource,
  sealImportSource,
  sealSimField,
  simSecretsFingerprint,
} from '../crypto/sim-keys.js';
import { coreNetworkError } from '../core-network.errors.js';
import { parseSimCsv, SimCsvError, type RowProblem, type SimRow } from './sim-csv.js';
import { SimInventoryRepository, type SimImportJobRow } from './sim-inventory.repository.js';
import type { SimImportError } from './sims.schema.js';

/** Rows per transaction: a crash loses at most one chunk of work, never half a chunk. */
export const IMPORT_CHUNK_ROWS = 500;
/** Per-row problems kept on a job (the counters are always complete). */
const MAX_STORED_ERRORS = 1_000;

/** What identifies a SIM for duplicate detection, whether already stored or seen earlier in this chunk. */
type KnownSim = { iccid: string | null; msisdn: string | null; secretsMac: string };

type ChunkOutcome = { imported: number; duplicates: number; conflicts: number; errors: SimImportError[] };

/**
 * Bulk SIM import jobs: the uploaded CSV is stored encrypted, then processed in chunks that commit
 * all-or-nothing together with the job's progress, so an interrupted job resumes where it stopped.
 */
@Injectable()
export class SimImportService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(CORE_NETWORK_CONFIG) private readonly config: CoreNetworkConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly repo: SimInventoryRepository,
    private readonly keys: DataKeyService,
    private readonly audit: AuditService,
  ) {}

  /** Jobs interrupted by a crash or shutdown resume at start-up. */
  async onApplicationBootstrap(): Promise<void> {
    for (const { id } of await this.repo.unfinishedJobIds()) this.launch(id);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running.values()]);
  }

  async start(
    csv: string,
    filename: string,
    by: Principal,
    requestId: string | null,
  ): Promise<SimImportJobRow> {
    if (Buffer.byteLength(csv) > this.config.simImportMaxBytes)
      throw coreNetworkError(
        'sim_import_too_large',
        `The file is larger than ${this.config.simImportMaxBytes} bytes.`,
      );
    if (!(await this.repo.currentPlmn()))
      throw coreNetworkError(
        'network_spec_missing',
        'Apply a network spec first (pakawaaz network apply): IMSIs are checked against its PLMN.',
      );
    const id = randomUUID();
    await this.database.db.transaction(async (tx) => {
      const dek = await this.keys.create('sim-import', tx);
      const sourceEnc = sealImportSource(dek, id, csv);
      const sourceSha256 = createHash('sha256').update(csv).digest('hex');
      await this.repo.insertJob(tx, {
        id,
        filename,
        status: 'queued',
        sourceSha256,
        dataKeyId: dek.id,
        sourceEnc,
        createdBy: `${by.actor.type}:${by.actor.id}`,
      });
      await this.audit.record(
        {
          actor: by.actor,
          action: 'core-network.sim-import.started',
          target: `sim-import:${id}`,
          details: { filename, sha256: sourceSha256 },
          requestId,
        },
        tx,
      );
    });
    this.launch(id);
    return (await this.repo.job(id))!;
  }

  job(id: string): Promise<SimImportJobRow | undefined> {
    return this.repo.job(id);
  }

  /** Resolves when the job has stopped running in this process (tests, CLI in-process). */
  async settled(id: string): Promise<void> {
    await this.running.get(id);
  }

  private launch(id: string): void {
    if (this.running.has(id)) return;
    const run = this.process(id)
      .catch(async (err: unknown) => {
        // Database errors can carry query parameters: the job (readable by viewers) gets a fixed text and an
        // error id; the details go to the log only.
        const errorId = randomUUID();
        this.logger.error(
          { err, jobId: id, errorId },
          'SIM import job stopped; it resumes on the next start',
        );
        await this.repo
          .updateJob(this.database.db, id, {
            failure: `interrupted (error id ${errorId}); it resumes when the server restarts`,
          })
          .catch(() => undefined);
      })
      .finally(() => this.running.delete(id));
    this.running.set(id, run);
  }

  private async process(id: string): Promise<void> {
    const job = await this.repo.job(id);
    if (!job || job.status === 'completed' || job.status === 'failed' || !job.sourceEnc) return;
    const key = await this.keys.get(job.dataKeyId);
    const csv = openImportSource({ id: job.dataKeyId, key }, id, job.sourceEnc);
    const plmn = await this.repo.currentPlmn();
    let parsed;
    try {
      parsed = parseSimCsv(csv, { mcc: plmn?.mcc ?? '', mnc: plmn?.mnc ?? '', computeOpc });
    } catch (err) {
      if (!(err instanceof SimCsvError)) throw err;
      return this.finish(job, 'failed', err.message);
    }
    await this.repo.updateJob(this.database.db, id, {
      status: 'running',
      totalRows: parsed.totalRows,
      failure: null,
    });
    const problems = new Map<number, RowProblem>(parsed.problems.map((p) => [p.line, p]));
    const pending = [...parsed.rows.map((r) => r.line), ...problems.keys()]
      .filter((line) => line > job.committedLines)
      .sort((a, b) => a - b);
    const byLine = new Map(parsed.rows.map((r) => [r.line, r]));
    for (let i = 0; i < pending.length && !this.stopping; i += IMPORT_CHUNK_ROWS) {
      const lines = pending.slice(i, i + IMPORT_CHUNK_ROWS);
      await this.commitChunk(
        job,
        key,
        lines.flatMap((l) => byLine.get(l) ?? []),
        lines.flatMap((l) => problems.get(l) ?? []),
        lines.at(-1)!,
      );
    }
    if (!this.stopping) await this.finish((await this.repo.job(id))!, 'completed', null);
  }

  protected async commitChunk(
    job: SimImportJobRow,
    key: Buffer,
    rows: SimRow[],
    problems: RowProblem[],
    lastLine: number,
  ): Promise<void> {
    await this.database.db.transaction(async (tx) => {
      const outcome = await this.importRows(tx, job, key, rows);
      const current = (await this.repo.jobProgress(job.id, tx))!;
      const errors = [...current.errors, ...problems, ...outcome.errors]
        .sort((a, b) => a.line - b.line)
        .slice(0, MAX_STORED_ERRORS);
      await this.repo.updateJob(tx, job.id, {
        committedLines: lastLine,
        imported: current.imported + outcome.imported,
        duplicates: current.duplicates + outcome.duplicates,
        conflicts: current.conflicts + outcome.conflicts,
        invalid: current.invalid + problems.length,
        errors,
      });
    });
  }

  /** Same SIM again (IMSI, ICCID, MSISDN and secrets equal) is a duplicate; any difference is a conflict. */
  private async importRows(tx: Db, job: SimImportJobRow, key: Buffer, rows: SimRow[]): Promise<ChunkOutcome> {
    const out: ChunkOutcome = { imported: 0, duplicates: 0, conflicts: 0, errors: [] };
    const byImsi = new Map<string, KnownSim>(
      (
        await this.repo.existingByImsi(
          tx,
          rows.map((r) => r.imsi),
        )
      ).map((s) => [s.imsi, s]),
    );
    const iccidOwner = new Map(
      (
        await this.repo.existingByIccid(
          tx,
          rows.flatMap((r) => r.iccid ?? []),
        )
      ).map((s) => [s.iccid, s.imsi]),
    );
    const fresh = [];
    const dek = { id: job.dataKeyId, key };
    for (const row of rows) {
      const mac = await simSecretsFingerprint(this.keys, row.k, row.opc);
      const existing = byImsi.get(row.imsi);
      if (existing) {
        const same =
          existing.secretsMac === mac &&
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
      byImsi.set(row.imsi, { iccid: row.iccid, msisdn: row.msisdn, secretsMac: mac });
      if (row.iccid !== null) iccidOwner.set(row.iccid, row.imsi);
      fresh.push({
        imsi: row.imsi,
        iccid: row.iccid,
        msisdn: row.msisdn,
        batch: row.batch,
        dataKeyId: job.dataKeyId,
        secretsMac: mac,
        importJobId: job.id,
        kEnc: sealSimField(dek, row.imsi, 'k', row.k),
        opcEnc: sealSimField(dek, row.imsi, 'opc', row.opc),
      });
      out.imported++;
    }
    await this.repo.insertSims(tx, fresh);
    return out;
  }

  /** The encrypted source is dropped once the job is finished: nothing resumes from it any more. */
  private async finish(
    job: SimImportJobRow,
    status: 'completed' | 'failed',
    failure: string | null,
  ): Promise<void> {
    await this.database.db.transaction(async (tx) => {
      await this.repo.updateJob(tx, job.id, { status, failure, sourceEnc: null, finishedAt: new Date() });
      const details = {
        imported: job.imported,
        duplicates: job.duplicates,
        conflicts: job.conflicts,
        invalid: job.invalid,
        failure,
      };
      await this.audit.record(
        {
          actor: { type: 'system', id: 'sim-import' },
          action: `core-network.sim-import.${status}`,
          target: `sim-import:${job.id}`,
          details,
        },
        tx,
      );
    });
  }
}
