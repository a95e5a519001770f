import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle } from '@pakawaaz/platform';
import { eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { DeliveredCommand } from '../commands/command-view.js';
import { MAX_COMMANDS_PER_CHECK_IN } from '../commands/commands.repository.js';
import { deviceCommands } from '../commands/device-commands.schema.js';
import type { DeviceRow, DeviceUpdate } from '../devices/device-state.repository.js';
import { devices } from '../devices/devices.schema.js';
import { devicePolicies } from '../policies/device-policies.schema.js';
import { NATIONAL } from '../policies/policy-settings.js';
import { newestOsUpdateOf } from '../os-updates/os-updates.repository.js';
import type { OsUpdateSeen } from '../os-updates/os-update-step.js';

/**
 * The device as a check-in read it: the row, its row version, the version of the policy in force for it (its
 * institution's newest, else the national newest) and the newest national version (the floors it is raised to).
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

const policyVersionOf = sql<number | null>`(select ${devicePolicies.version} from ${devicePolicies}
  where ${devicePolicies.scope} in (${devices.institutionId}, ${NATIONAL})
  order by ${devicePolicies.scope} = ${NATIONAL}, ${devicePolicies.version} desc limit 1)`;
const nationalVersionOf = sql<number | null>`(select max(${devicePolicies.version}) from ${devicePolicies}
  where ${devicePolicies.scope} = ${NATIONAL})`;
const asVersion = (v: unknown) => (v === null ? null : Number(v));
/** Renders the write's SQL (text and parameters) for the named statement. */
const dialect = new PgDialect();

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
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

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
   */
  async write(
    deviceId: string,
    read: CheckInRead,
    set: CheckInWrite,
    now: Date,
  ): Promise<DeliveredCommand[] | undefined> {
    // A named statement (its text is the same for every check-in; the values are parameters): PostgreSQL
    // plans this CTE once per connection instead of at every check-in.
    const statement = dialect.sqlToQuery(sql`
      with stored as (
        update ${devices} set
          state = ${set.state},
          compliance = ${set.compliance},
          compliance_reasons = ${JSON.stringify(set.complianceReasons)}::jsonb,
          non_compliant_since = ${set.nonCompliantSince?.toISOString() ?? null}::timestamptz,
          last_check_in_at = ${set.lastCheckInAt?.toISOString() ?? null}::timestamptz,
          last_report = ${JSON.stringify(set.lastReport)}::jsonb,
          applied_policy_version = ${set.appliedPolicyVersion}::integer,
          updated_at = ${now.toISOString()}::timestamptz
        where id = ${deviceId} and xmin = ${read.rowVersion}::xid
          and ${policyVersionOf} is not distinct from ${read.policyVersion}::integer
          and ${nationalVersionOf} is not distinct from ${read.nationalPolicyVersion}::integer
        returning id, xmin::text as version
      ), delivered as (
        update ${deviceCommands} set
          state = 'delivered',
          delivered_at = coalesce(delivered_at, ${now.toISOString()}::timestamptz)
        where id in (
          select ${deviceCommands.id} from ${deviceCommands}
          where ${deviceCommands.deviceId} = ${deviceId}
            and ${deviceCommands.state} in ('queued', 'delivered')
            and ${deviceCommands.expiresAt} > ${now.toISOString()}::timestamptz
          order by ${deviceCommands.createdAt} limit ${MAX_COMMANDS_PER_CHECK_IN}
        )
          -- Checked again on the target row: an acknowledgement or a cancel committed meanwhile is not undone.
          and state in ('queued', 'delivered')
          and exists (select 1 from stored)
        returning id, type, params, created_at, expires_at
      )
      select stored.version, case when delivered.id is null then null else json_build_object(
        'id', delivered.id, 'type', delivered.type, 'params', delivered.params,
        'createdAt', delivered.created_at, 'expiresAt', delivered.expires_at) end as command
      from stored left join delivered on true`);
    const answer: unknown = await this.database.db._.session
      .prepareQuery(statement, undefined, 'device_mgmt_check_in_write', false)
      .execute();
    const result = answer as WriteResult;
    const version = result.rows[0]?.version;
    if (version === undefined) {
      this.recent.delete(deviceId);
      return undefined;
    }
    this.remember(deviceId, {
      ...read,
      row: { ...read.row, ...set, updatedAt: now },
      rowVersion: version,
    });
    return result.rows
      .flatMap((r) => (r.command ? [deliveredOf(r.command)] : []))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  }
}

/** Both drivers (PostgreSQL and the embedded PGlite behind the same pg client) answer a pg QueryResult. */
type WriteResult = { rows: { version: string; command: RawCommand | null }[] };

type RawCommand = {
  id: string;
  type: string;
  params: Record<string, unknown>;
  createdAt: string;
  expiresAt: string;
};

function deliveredOf(c: RawCommand): DeliveredCommand {
  return {
    id: c.id,
    type: c.type,
    params: c.params,
    createdAt: new Date(c.createdAt),
    expiresAt: new Date(c.expiresAt),
  };
}
