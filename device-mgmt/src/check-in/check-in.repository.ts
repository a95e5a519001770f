import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle } from '@pakawaaz/platform';
import { eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
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
  /** The device's newest OS rollout row; read only when rollouts exist on this node (else null). */
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

/**
 * The two statements of a check-in without acknowledgements (no transaction around them): one read (the
 * device row, its version — PostgreSQL's `xmin`, which every update of the row changes — and the policy
 * version in force and the national one), one write that stores the report only if the row is still the version that was read and,
 * in the same statement, delivers the commands. A row changed in between (another check-in, an
 * acknowledgement, the compliance sweep, a retirement) writes nothing: the caller reads again.
 */
@Injectable()
export class CheckInRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

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
   * Stores the check-in when the row is still at `rowVersion` and delivers the open commands (oldest first,
   * at most MAX_COMMANDS_PER_CHECK_IN), in one statement: undefined when the row had changed (nothing written).
   */
  async write(
    deviceId: string,
    rowVersion: string,
    set: CheckInWrite,
    now: Date,
  ): Promise<DeliveredCommand[] | undefined> {
    const answer: unknown = await this.database.db.execute(sql`
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
        where id = ${deviceId} and xmin = ${rowVersion}::xid
        returning id
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
      select case when delivered.id is null then null else json_build_object(
        'id', delivered.id, 'type', delivered.type, 'params', delivered.params,
        'createdAt', delivered.created_at, 'expiresAt', delivered.expires_at) end as command
      from stored left join delivered on true`);
    const result = answer as WriteResult;
    if (result.rows.length === 0) return undefined;
    return result.rows
      .flatMap((r) => (r.command ? [deliveredOf(r.command)] : []))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  }
}

/** Both drivers (PostgreSQL and the embedded PGlite behind the same pg client) answer a pg QueryResult. */
type WriteResult = { rows: { command: RawCommand | null }[] };

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
