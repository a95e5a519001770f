import type { Keyed, Planned } from '@pakawaaz/platform';
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { MAX_COMMANDS_PER_CHECK_IN } from '../commands/commands.repository.js';
import { deviceCommands } from '../commands/device-commands.schema.js';
import { devices } from '../devices/devices.schema.js';
import { nationalVersionOf, policyVersionOf } from '../policies/policy-versions.sql.js';
import type { CheckInRead, CheckInWrite } from './check-in.repository.js';

/**
 * The check-in's write statements (see CheckInRepository.write), apart from the repository so that the test
 * reading their plans (test/medium/check-in-plans.medium.spec.ts) prepares the very text the repository runs.
 */

/** Renders a write's SQL (text and parameters). */
const dialect = new PgDialect();

/** What a check-in writes: the read it started from, the columns it sets, and when. */
export type PendingWrite = { read: CheckInRead; set: CheckInWrite; now: Date };

/**
 * How each write runs (platform's runQuery). 'once': by name, planned once per connection (after five calls
 * PostgreSQL keeps a generic plan); the one-device write finds its rows by equality on a key, which every plan probes by index,
 * even one made on empty tables. 'each call': unnamed, planned for the tables as they are. The batch names its
 * devices in a JSON array, and a plan made while devices was empty or nearly so hashes a sequential scan of it
 * — whatever the form of the key probe (an id or a ctid array) — and would be kept as the fleet grows; planned
 * at each call, it probes the primary key as soon as the table is not tiny (planning it took 0.7 ms on a
 * busy 2-core machine: once per batch, not per check-in).
 */
export const WRITE_ONE = { name: 'device_mgmt_check_in_write', planned: 'once' } as const satisfies Named;
export const WRITE_MANY = {
  name: 'device_mgmt_check_in_write_many',
  planned: 'each call',
} as const satisfies Named;
type Named = { name: string; planned: Planned };

/** One device's write: stored under its guard, its commands delivered in the same statement. */
export function writeOneQuery(deviceId: string, { read, set, now }: PendingWrite) {
  return dialect.sqlToQuery(sql`
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
        order by ${deviceCommands.createdAt}, ${deviceCommands.id} limit ${MAX_COMMANDS_PER_CHECK_IN}
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
}

/**
 * Several devices' writes in one statement: the devices' columns travel as one JSON array (one parameter, so
 * the statement's text is the same whatever the batch's size).
 */
export function writeManyQuery(batch: readonly Keyed<PendingWrite>[]) {
  const input = JSON.stringify(
    batch.map(({ key, item: { read, set, now } }) => ({
      id: key,
      version: read.rowVersion,
      policy: read.policyVersion,
      national: read.nationalPolicyVersion,
      state: set.state,
      compliance: set.compliance,
      reasons: set.complianceReasons,
      non_compliant_since: set.nonCompliantSince?.toISOString() ?? null,
      last_check_in_at: set.lastCheckInAt?.toISOString() ?? null,
      report: set.lastReport,
      applied: set.appliedPolicyVersion,
      at: now.toISOString(),
    })),
  );
  return dialect.sqlToQuery(sql`
    with input as (
      select * from jsonb_to_recordset(${input}::jsonb) as i(
        id uuid, version text, policy integer, national integer, state text, compliance text,
        reasons jsonb, non_compliant_since timestamptz, last_check_in_at timestamptz, report jsonb,
        applied integer, at timestamptz)
    ), stored as (
      update ${devices} set
        state = i.state,
        compliance = i.compliance,
        compliance_reasons = i.reasons,
        non_compliant_since = i.non_compliant_since,
        last_check_in_at = i.last_check_in_at,
        last_report = i.report,
        applied_policy_version = i.applied,
        updated_at = i.at
      from input i
      -- The keys as an array as well as the join: an index condition on the primary key, which the planner
      -- costs as a few keys. Joined alone, the JSON is costed as 100 rows, and over a table the planner thinks
      -- small that is a hash join over a sequential scan of all of it, dead row versions included.
      where ${devices.id} = any (array(select id from input)) and ${devices.id} = i.id
        and ${devices}.xmin = i.version::xid
        and ${policyVersionOf} is not distinct from i.policy
        and ${nationalVersionOf} is not distinct from i.national
      returning ${devices.id} as id, ${devices}.xmin::text as version
    ), due as (
      -- Each device's oldest open commands, from its own entries in device_commands_device_idx: a subquery per
      -- device (its limit keeps the planner from joining the table whole with the JSON, which it planned as
      -- every open command of the fleet, from device_commands_open_idx, joined by hash).
      select c.id from input i cross join lateral (
        select ${deviceCommands.id} as id from ${deviceCommands}
        where ${deviceCommands.deviceId} = i.id
          and ${deviceCommands.state} in ('queued', 'delivered') and ${deviceCommands.expiresAt} > i.at
        order by ${deviceCommands.createdAt}, ${deviceCommands.id} limit ${MAX_COMMANDS_PER_CHECK_IN}::integer
      ) c
    ), delivered as (
      update ${deviceCommands} set
        state = 'delivered',
        delivered_at = coalesce(${deviceCommands.deliveredAt}, i.at)
      from input i
      where ${deviceCommands.deviceId} = i.id
        and ${deviceCommands.id} in (select id from due)
        -- Checked again on the target row: an acknowledgement or a cancel committed meanwhile is not undone.
        and ${deviceCommands.state} in ('queued', 'delivered')
        and ${deviceCommands.deviceId} in (select id from stored)
      returning ${deviceCommands.deviceId} as device, json_build_object(
        'id', ${deviceCommands.id}, 'type', ${deviceCommands.type}, 'params', ${deviceCommands.params},
        'createdAt', ${deviceCommands.createdAt}, 'expiresAt', ${deviceCommands.expiresAt}) as command
    )
    select id::text as device, version, null::json as command from stored
    union all
    select device::text, null, command from delivered`);
}
