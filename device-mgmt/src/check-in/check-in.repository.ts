import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  DATABASE,
  GroupCommit,
  LOGGER,
  runQuery,
  type DatabaseHandle,
  type Keyed,
  type Logger,
  type Settled,
} from '@pakawaaz/platform';
import { eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { DeliveredCommand } from '../commands/command-view.js';
import { DEVICE_MGMT_CONFIG, type DeviceMgmtConfig } from '../device-mgmt.config.js';
import type { DeviceRow, DeviceUpdate } from '../devices/device-state.repository.js';
import { devices } from '../devices/devices.schema.js';
import { asVersion, nationalVersionOf, policyVersionOf } from '../policies/policy-versions.sql.js';
import { newestOsUpdateOf } from '../os-updates/os-updates.repository.js';
import type { OsUpdateSeen } from '../os-updates/os-update-step.js';
import {
  WRITE_MANY,
  WRITE_ONE,
  writeManyQuery,
  writeOneQuery,
  type PendingWrite,
} from './check-in-write.sql.js';

/**
 * The device as a check-in read it: the row, its row version, the version of the policy in force for it (its
 * group's newest, else its institution's newest, else the national newest) and the newest national version (the floors it is raised to).
 */
export type CheckInRead = {
  row: DeviceRow;
  rowVersion: string;
  policyVersion: number | null;
  nationalPolicyVersion: number | null;
  /**
   * The device's newest OS rollout row; read only when rollouts exist on this node (else null). A remembered
   * read keeps it, possibly stale (the ack route or another node moved it): harmless, as every state a stale
   * copy can show either asks for the locking path, which reads the row again, or decides nothing, as the
   * current one would (the rows only move forward: offered → updated → verified, or → failed).
   */
  osUpdate: OsUpdateSeen;
};

/** What the device row becomes: every column a check-in without acknowledgements sets. */
export type CheckInWrite = Required<
  Pick<
    DeviceUpdate,
    | 'state'
    | 'compliance'
    | 'complianceReasons'
    | 'nonCompliantSince'
    | 'lastCheckInAt'
    | 'lastReport'
    | 'appliedPolicyVersion'
  >
>;

/**
 * How many devices' last check-in this node remembers (see CheckInRepository): a national fleet is 10,000
 * handsets, so every one fits on one node; an entry is the device row (a few KiB with its report).
 */
export const REMEMBERED_CHECK_INS = 16_384;

/**
 * The statements of a check-in without acknowledgements (no transaction around them): a read (the device
 * row, its version — PostgreSQL's `xmin`, which every update of the row changes — and the policy version in
 * force and the national one), and a write that stores the report only if the row is still the version
 * that was read and the policy versions are still the ones read, and in the same statement delivers the
 * commands. A row changed in between (another check-in, an acknowledgement, the compliance sweep, a
 * retirement, on this node or another) or a new policy writes nothing: the caller reads again.
 *
 * The read is usually skipped: after a write the node remembers the row as it wrote it, with the version
 * the write returned, and the device's next check-in starts from that (`remembered`). The write's guard
 * makes a stale memory harmless: it writes nothing, and the caller reads. So a handset that checks in on
 * the same node again costs one statement, not two (on a 2-core node the database's share of each
 * statement is most of a check-in's cost).
 */
@Injectable()
export class CheckInRepository {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Optional() @Inject(DEVICE_MGMT_CONFIG) config?: Pick<DeviceMgmtConfig, 'checkInBatch'>,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {
    this.group = new GroupCommit({
      flush: (batch) => this.flush(batch),
      maxBatch: config?.checkInBatch ?? CHECK_IN_BATCH,
      maxInFlight: database.mode === 'embedded' ? 1 : 3,
    });
  }

  /** Last check-ins this node wrote, oldest first (a Map keeps insertion order: a small LRU). */
  private readonly recent = new Map<string, CheckInRead>();

  /** The device as this node's last write of it left it, if remembered; the write checks it is still so. */
  remembered(deviceId: string): CheckInRead | undefined {
    return this.recent.get(deviceId);
  }

  forget(deviceId: string): void {
    this.recent.delete(deviceId);
  }

  private remember(deviceId: string, read: CheckInRead): void {
    this.recent.delete(deviceId);
    this.recent.set(deviceId, read);
    if (this.recent.size > REMEMBERED_CHECK_INS) {
      const oldest = this.recent.keys().next();
      if (!oldest.done) this.recent.delete(oldest.value);
    }
  }

  /**
   * A prepared statement: planned once per connection, as every check-in runs it. With `osUpdates` it also
   * reads the device's newest OS rollout row (a subquery on its primary key, not another round trip).
   */
  async read(deviceId: string, osUpdates = false): Promise<CheckInRead | undefined> {
    if (osUpdates) {
      this.readWithOs ??= this.prepareRead(newestOsUpdateOf(devices.id), 'device_mgmt_check_in_read_os');
      const [found] = await this.readWithOs.execute({ deviceId });
      return found;
    }
    this.readQuery ??= this.prepareRead(sql<OsUpdateSeen>`null`, 'device_mgmt_check_in_read');
    const [found] = await this.readQuery.execute({ deviceId });
    return found;
  }

  private readQuery: ReturnType<typeof this.prepareRead> | undefined;
  private readWithOs: ReturnType<typeof this.prepareRead> | undefined;

  private prepareRead(osUpdate: SQL<OsUpdateSeen>, name: string) {
    return this.database.db
      .select({
        row: getTableColumns(devices),
        rowVersion: sql<string>`${devices}.xmin::text`,
        policyVersion: policyVersionOf.mapWith(asVersion),
        nationalPolicyVersion: nationalVersionOf.mapWith(asVersion),
        osUpdate,
      })
      .from(devices)
      .where(eq(devices.id, sql.placeholder('deviceId')))
      .limit(1)
      .prepare(name);
  }

  /**
   * Stores the check-in when the row is still at the version read and the policy versions are still the
   * ones read, and delivers the open commands (oldest first, at most MAX_COMMANDS_PER_CHECK_IN), in one
   * statement: undefined when something had changed (nothing written; the memory of the device is dropped).
   * Check-ins arriving together are written together (group commit, see GroupCommit): one statement and one
   * commit for the batch, each device still guarded by its own row version.
   */
  async write(
    deviceId: string,
    read: CheckInRead,
    set: CheckInWrite,
    now: Date,
  ): Promise<DeliveredCommand[] | undefined> {
    const stored = await this.group.write(deviceId, { read, set, now });
    if (stored === undefined) {
      this.recent.delete(deviceId);
      return undefined;
    }
    this.remember(deviceId, {
      ...read,
      row: { ...read.row, ...set, updatedAt: now },
      rowVersion: stored.version,
    });
    return stored.commands;
  }

  /**
   * On PostgreSQL a few batches in flight (the pool's other connections serve the reads and everything
   * else); the embedded database has one connection, so one.
   */
  private readonly group: GroupCommit<PendingWrite, Stored | undefined>;

  /** For tests and the bench: the largest batch written so far, writes waiting, statements in flight. */
  batchStats(): ReturnType<GroupCommit<PendingWrite, Stored | undefined>['stats']> {
    return this.group.stats();
  }

  private async flush(batch: readonly Keyed<PendingWrite>[]): Promise<Settled<Stored | undefined>[]> {
    if (batch.length > 1) {
      try {
        return (await this.writeMany(batch)).map((value) => ({ ok: true, value }));
      } catch (error) {
        // A batch that fails as a whole (a deadlock with another writer, say) is written one by one, so each
        // check-in gets its own answer; said once per batch, as it doubles that batch's cost.
        this.logger?.warn(
          { err: error, devices: batch.length },
          'check-in batch failed as a whole; writing its check-ins one by one',
        );
      }
    }
    const settled: Settled<Stored | undefined>[] = [];
    for (const { key, item } of batch) {
      try {
        settled.push({ ok: true, value: await this.writeOne(key, item) });
      } catch (error) {
        settled.push({ ok: false, error });
      }
    }
    return settled;
  }

  private async writeOne(deviceId: string, { read, set, now }: PendingWrite): Promise<Stored | undefined> {
    // A named statement (its text is the same for every check-in; the values are parameters): PostgreSQL
    // plans this CTE once per connection instead of at every check-in.
    const rows = await runQuery<{ version: string; command: RawCommand | null }>(
      this.database.db,
      writeOneQuery(deviceId, { read, set, now }),
      WRITE_ONE,
    );
    const version = rows[0]?.version;
    if (version === undefined) return undefined;
    return { version, commands: commandsOf(rows.flatMap((r) => (r.command ? [r.command] : []))) };
  }

  /**
   * The same write for several devices in one statement (see writeManyQuery), planned at each call (see
   * WRITE_MANY). Each row is stored only under its own guard; the commands are delivered only to the devices
   * stored.
   */
  private async writeMany(batch: readonly Keyed<PendingWrite>[]): Promise<(Stored | undefined)[]> {
    const rows = await runQuery<{ device: string; version: string | null; command: RawCommand | null }>(
      this.database.db,
      writeManyQuery(batch),
      WRITE_MANY,
    );
    const versions = new Map<string, string>();
    const commands = new Map<string, RawCommand[]>();
    for (const r of rows) {
      if (r.version !== null) versions.set(r.device, r.version);
      if (r.command) commands.set(r.device, [...(commands.get(r.device) ?? []), r.command]);
    }
    return batch.map(({ key }) => {
      const version = versions.get(key);
      return version === undefined ? undefined : { version, commands: commandsOf(commands.get(key) ?? []) };
    });
  }
}

/** Most check-ins in one statement by default (PAKAWAAZ_CHECK_IN_BATCH; their reports are a few KiB each). */
export const CHECK_IN_BATCH = 64;

/** A stored check-in: the row's new version and the commands delivered with it. */
type Stored = { version: string; commands: DeliveredCommand[] };

/** Both drivers (PostgreSQL and the embedded PGlite behind the same pg client) answer a pg QueryResult. */
type RawCommand = {
  id: string;
  type: string;
  params: Record<string, unknown>;
  createdAt: string;
  expiresAt: string;
};

/** Oldest first, as the commands were queued. */
function commandsOf(raw: RawCommand[]): DeliveredCommand[] {
  return raw
    .map(deliveredOf)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
}

function deliveredOf(c: RawCommand): DeliveredCommand {
  return {
    id: c.id,
    type: c.type,
    params: c.params,
    createdAt: new Date(c.createdAt),
    expiresAt: new Date(c.expiresAt),
  };
}
