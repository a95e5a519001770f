import { sql } from 'drizzle-orm';
import { devices } from '../devices/devices.schema.js';
import { devicePolicies } from './device-policies.schema.js';
import { GROUP_SCOPE_PREFIX, NATIONAL } from './policy-settings.js';

/**
 * The device policy versions in force for a row of `devices` in the same query (check-in's read, the guard's
 * certificate read): PoliciesService.atVersions turns them into the effective policy, remembered per node.
 */
// The nearest scope with a policy wins: the device's group, then its institution, then the national one.
export const policyVersionOf = sql<number | null>`(select ${devicePolicies.version} from ${devicePolicies}
  where ${devicePolicies.scope} in (${devices.institutionId}, ${GROUP_SCOPE_PREFIX} || ${devices.groupId}::text, ${NATIONAL})
  order by case when ${devicePolicies.scope} = ${NATIONAL} then 2
    when ${devicePolicies.scope} = ${devices.institutionId} then 1 else 0 end,
    ${devicePolicies.version} desc limit 1)`;
export const nationalVersionOf = sql<
  number | null
>`(select max(${devicePolicies.version}) from ${devicePolicies}
  where ${devicePolicies.scope} = ${NATIONAL})`;
export const asVersion = (v: unknown) => (v === null ? null : Number(v));
