import { Injectable } from '@nestjs/common';
import {
  AuditService,
  platformError,
  requireNational,
  requireRole,
  type Principal,
} from '@pakawaaz/platform';
import { SubscribersRepository } from '../../subscribers/subscribers.repository.js';
import { applyScript, exportDeletionsJson, exportMongoimportJson, planExportDeletions } from './export.js';
import { Open5gsExportsRepository, type ExportRunRow } from './open5gs-exports.repository.js';
import { Open5gsSyncService } from './open5gs-sync.service.js';

export type ExportRun = {
  id: string;
  exportedAt: string;
  by: { type: string; id: string; name: string };
  documents: number;
  deletions: number;
};

export type ExportStatus = {
  mode: 'mongodb' | 'export-only';
  last: ExportRun | null;
  /** What the next export would change (export-only mode; zero with live sync). */
  pending: { updates: number; removals: number };
};

export type ExportFiles = ExportRun & {
  /** subscribers.json: one document per line, K/OPc in clear (0600). */
  subscribers: string;
  /** deletions.json: `{"imsi":…}` per line for `mongoimport --mode delete --upsertFields imsi`. */
  deletionsFile: string;
  /** apply.sh: loads both with the right flags. */
  applyScript: string;
};

const runView = (r: ExportRunRow): ExportRun => ({
  id: r.id,
  exportedAt: r.exportedAt.toISOString(),
  by: { type: r.actorType, id: r.actorId, name: r.actorName },
  documents: r.documents,
  deletions: r.deletions,
});

/**
 * The export-only mode (no OPEN5GS_MONGODB_URL): every active subscriber as an Open5GS document to upsert, and
 * every IMSI that must leave Open5GS (barred, unassigned) as a deletion — `mongoimport --mode upsert` never
 * deletes. Each run is recorded so the NOC can tell which barrings are not yet in Open5GS.
 */
@Injectable()
export class Open5gsExportService {
  constructor(
    private readonly sync: Open5gsSyncService,
    private readonly subscribers: SubscribersRepository,
    private readonly exports: Open5gsExportsRepository,
    private readonly audit: AuditService,
  ) {}

  /** The last export and what waits for the next one. Metadata only: no secret, any national reader. */
  async status(caller: Principal): Promise<ExportStatus> {
    requireNational(caller);
    requireRole(caller, 'viewer', 'network-admin', 'sim-operator', 'security-officer');
    const last = await this.exports.last();
    const pending =
      this.sync.mode === 'export-only' ? await this.exports.pending() : { updates: 0, removals: 0 };
    return { mode: this.sync.mode, last: last ? runView(last) : null, pending };
  }

  /** Builds and records one export. Holds K/OPc in clear: security officer in a sign-in session, audited. */
  async export(caller: Principal, requestId: string | null): Promise<ExportFiles> {
    requireNational(caller);
    requireRole(caller, 'security-officer');
    // Every K/OPc in clear: an operator signed in interactively (a session), never a long-lived automation token.
    if (caller.sessionId === undefined)
      throw platformError('forbidden', 'The subscriber export needs an operator sign-in, not an API token.');
    const { all, docs } = await this.sync.desired();
    const active = new Set(all.filter((s) => s.status === 'active').map((s) => s.imsi));
    const deletions = planExportDeletions({
      active,
      everExported: await this.exports.everExported(),
      requested: await this.subscribers.pendingDeletions(),
      barred: all.filter((s) => s.status === 'barred').map((s) => s.imsi),
    });
    // Carried: built documents and barred subscribers (their deletion); an active one that could not be built
    // stays pending.
    const versions = new Map(
      all.filter((s) => docs.has(s.imsi) || s.status === 'barred').map((s) => [s.imsi, s.version]),
    );
    const run = await this.exports.db.transaction(async (tx) => {
      const row = await this.exports.record(
        tx,
        {
          actorType: caller.actor.type,
          actorId: caller.actor.id,
          actorName: caller.name,
          requestId,
          documents: docs.size,
          deletions: deletions.length,
        },
        { documents: [...docs.keys()], deletions, versions },
      );
      await this.audit.record(
        {
          actor: caller.actor,
          action: 'core-network.open5gs.exported',
          target: 'open5gs:subscribers',
          details: { count: docs.size, deletions: deletions.length, exportId: row.id },
          requestId,
        },
        tx,
      );
      return runView(row);
    });
    return {
      ...run,
      subscribers: exportMongoimportJson(docs.values()),
      deletionsFile: exportDeletionsJson(deletions),
      applyScript: applyScript({
        exportedAt: run.exportedAt,
        by: run.by.name,
        documents: run.documents,
        deletions: run.deletions,
      }),
    };
  }
}
