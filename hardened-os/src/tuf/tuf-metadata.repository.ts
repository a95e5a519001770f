import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { isUniqueViolation } from '../registry/registry.repository.js';
import { METADATA_NAME } from './metadata-store.js';
import { parseMetadata, TufMetadataError } from './tuf-metadata.js';
import { ROLES, type TufRole } from './tuf-metadata.schema.js';
import type { PublishedState } from './tuf-state.js';
import { tufAlarms, tufKeyStatus, tufMetadata } from './tuf.schema.js';

/** One published metadata file: a role's version and its exact bytes. */
export type MetadataRow = { role: TufRole; version: number; bytes: Buffer; expires: Date };

/** Each role's highest version (absent: none published yet) — what unversioned names resolve to. */
export type Heads = Partial<Record<TufRole, number>>;

/**
 * Another node published the same version first (two timestamp refreshes at once): nothing of this
 * publication was written; the caller re-reads the state and decides again.
 */
export class PublicationConflict extends Error {
  constructor() {
    super('another node published this TUF metadata version first');
  }
}

/** `name` as (role, version): `N.role.json`, or `role.json` for the role's highest version. */
export function nameOf(name: string): { role: TufRole; version: number | null } | undefined {
  const m = METADATA_NAME.exec(name);
  if (!m) return undefined;
  const dot = name.indexOf('.');
  const versioned = /^\d/.test(name);
  return { role: m[1] as TufRole, version: versioned ? Number(name.slice(0, dot)) : null };
}

/**
 * The rows a publication's files make: each file's role and the version inside it (the unversioned names
 * carry the same bytes as their versioned twin, so they collapse into one row).
 */
export function rowsOf(files: ReadonlyMap<string, Buffer>): MetadataRow[] {
  const rows = new Map<string, MetadataRow>();
  for (const [name, bytes] of files) {
    const n = nameOf(name);
    if (!n) throw new Error(`not a metadata file name: ${name}`);
    const e = parseMetadata(n.role, bytes);
    if (n.version !== null && n.version !== e.signed.version)
      throw new TufMetadataError('version', `${name} holds version ${e.signed.version}`);
    const key = `${n.role}:${e.signed.version}`;
    const seen = rows.get(key);
    if (seen && !seen.bytes.equals(bytes)) throw new Error(`two different files for ${key}`);
    rows.set(key, { role: n.role, version: e.signed.version, bytes, expires: new Date(e.signed.expires) });
  }
  return [...rows.values()];
}

/** The published TUF metadata, the compromised TUF keys and the alarm clock, in the database. */
@Injectable()
export class TufMetadataRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  private get db(): Db {
    return this.database.db;
  }

  async heads(tx: Db = this.db): Promise<Heads> {
    const rows = await tx
      .select({ role: tufMetadata.role, version: sql<string>`max(${tufMetadata.version})` })
      .from(tufMetadata)
      .groupBy(tufMetadata.role);
    return Object.fromEntries(rows.map((r) => [r.role, Number(r.version)]));
  }

  async file(role: TufRole, version: number, tx: Db = this.db): Promise<Buffer | undefined> {
    const rows = await tx
      .select({ bytes: tufMetadata.bytes })
      .from(tufMetadata)
      .where(and(eq(tufMetadata.role, role), eq(tufMetadata.version, version)))
      .limit(1);
    return rows[0]?.bytes;
  }

  /** The role's highest version, or undefined. */
  async latest(role: TufRole, tx: Db = this.db): Promise<MetadataRow | undefined> {
    const rows = await tx
      .select()
      .from(tufMetadata)
      .where(eq(tufMetadata.role, role))
      .orderBy(desc(tufMetadata.version))
      .limit(1);
    return rows[0];
  }

  /**
   * The current publication, read in one transaction (a publication committing meanwhile is seen whole or
   * not at all). Our own rows are parsed like any input.
   */
  async state(): Promise<PublishedState> {
    const rows = await this.db.transaction(
      async (tx) => {
        const out: (MetadataRow | undefined)[] = [];
        for (const role of ROLES) out.push(await this.latest(role, tx));
        return out;
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
    const [root, targets, snapshot, timestamp] = rows;
    const state: PublishedState = {};
    if (root) state.root = parseMetadata('root', root.bytes);
    if (targets) state.targets = parseMetadata('targets', targets.bytes);
    if (snapshot) {
      state.snapshot = parseMetadata('snapshot', snapshot.bytes);
      state.snapshotBytes = snapshot.bytes;
    }
    if (timestamp) state.timestamp = parseMetadata('timestamp', timestamp.bytes);
    return state;
  }

  /**
   * Publishes `files` in one transaction: all of them or, on any failure, none (the previous publication
   * stays what clients see). A targets version already published with the same bytes is kept (a new root
   * re-publishes the current targets); any other version taken — a root version included — throws
   * PublicationConflict.
   */
  async publish(files: ReadonlyMap<string, Buffer>): Promise<void> {
    const rows = rowsOf(files);
    try {
      await this.db.transaction(async (tx) => {
        for (const row of rows) {
          const inserted = await tx
            .insert(tufMetadata)
            .values(row)
            .onConflictDoNothing()
            .returning({ version: tufMetadata.version });
          if (inserted.length > 0) continue;
          const kept =
            row.role === 'targets' && (await this.file(row.role, row.version, tx))?.equals(row.bytes);
          if (!kept) throw new PublicationConflict();
        }
      });
    } catch (err) {
      throw isUniqueViolation(err) ? new PublicationConflict() : err;
    }
  }

  /** Rows of an older installation's metadata folder: inserted only where the database has none yet. */
  async importRows(rows: readonly MetadataRow[], keyids: readonly string[], by: string): Promise<number> {
    return this.db.transaction(async (tx) => {
      let n = 0;
      if ((await this.heads(tx)).timestamp === undefined && rows.length > 0) {
        const inserted = await tx
          .insert(tufMetadata)
          .values([...rows])
          .onConflictDoNothing()
          .returning();
        n = inserted.length;
      }
      if (keyids.length > 0)
        await tx
          .insert(tufKeyStatus)
          .values(
            keyids.map((keyid) => ({
              keyid,
              status: 'compromised' as const,
              markedBy: by,
              markedAt: new Date(),
            })),
          )
          .onConflictDoNothing();
      return n;
    });
  }

  async compromised(tx: Db = this.db): Promise<string[]> {
    const rows = await tx
      .select({ keyid: tufKeyStatus.keyid })
      .from(tufKeyStatus)
      .where(eq(tufKeyStatus.status, 'compromised'))
      .orderBy(tufKeyStatus.keyid);
    return rows.map((r) => r.keyid);
  }

  async markCompromised(keyid: string, by: string, now: Date, tx: Db = this.db): Promise<void> {
    await tx
      .insert(tufKeyStatus)
      .values({ keyid, status: 'compromised', markedBy: by, markedAt: now })
      .onConflictDoNothing();
  }

  /**
   * Whether this node raises the alarm `key` now: true for exactly one caller cluster-wide per `everyMs`
   * (the upsert moves `raised_at` on only when the last raise is older than that).
   */
  async claimAlarm(key: string, now: Date, everyMs: number): Promise<boolean> {
    const rows = await this.db
      .insert(tufAlarms)
      .values({ key, raisedAt: now })
      .onConflictDoUpdate({
        target: tufAlarms.key,
        set: { raisedAt: now },
        setWhere: lt(tufAlarms.raisedAt, new Date(now.getTime() - everyMs)),
      })
      .returning({ key: tufAlarms.key });
    return rows.length > 0;
  }
}
