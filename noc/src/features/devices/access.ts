import { useSession } from '../../auth/session';
import { hasRole, isInstitutionOperator } from '../../identity';

/**
 * What the signed-in operator may do with handsets, from its roles (the server decides; its 403 is shown as
 * any other error). An institution's operator sees its own institutions' devices only.
 */
export function useDeviceAccess() {
  const { operator } = useSession();
  const manage = hasRole(operator, 'device-admin');
  const institutionOperator = isInstitutionOperator(operator);
  return {
    read: manage || hasRole(operator, 'viewer'),
    manage,
    institutionOperator,
    /** The institutions an institution operator acts for (empty for a national operator). */
    institutionIds: institutionOperator ? (operator?.scope.institutionIds ?? []) : [],
  };
}
