import { usePermissions } from '../../auth/permissions';
import { useSession } from '../../auth/session';
import { isInstitutionOperator } from '../../identity';

/**
 * What the signed-in operator may do with handsets, from the operations' access (openapi.json, as the
 * server enforces it). An institution's operator sees its own institutions' devices only.
 */
export function useDeviceAccess() {
  const { operator } = useSession();
  const { can } = usePermissions();
  const institutionOperator = isInstitutionOperator(operator);
  return {
    read: can('GET /api/v1/devices'),
    /** Commands, retirement, enrolment tokens and policy edits (device-admin). */
    manage: can('POST /api/v1/devices/{id}/commands'),
    institutionOperator,
    /** The institutions an institution operator acts for (empty for a national operator). */
    institutionIds: institutionOperator ? (operator?.scope.institutionIds ?? []) : [],
  };
}
