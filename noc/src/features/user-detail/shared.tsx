import { useQueryClient } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import { usePermissions, type Operation } from '../../auth/permissions';
import { useApiMutation } from '../../data/hooks';
import { formatDateTime } from '../../format';
import { hasRole, type User } from '../../identity';
import { FACTOR_RESETS_KEY, userQueries, USERS_KEY } from '../users/queries';

export const MIN_REASON = 3;
export const MAX_REASON = 500;

export const when = (value: string | null, none = 'never') =>
  value ? <time dateTime={value}>{formatDateTime(value)}</time> : <span className="muted">{none}</span>;

/**
 * A write to one user that answers with the user: the page shows the answer at once (cards keyed by the
 * status re-key), and every user read is refetched (the change may have ended sessions or closed alarms).
 */
export function useUserWrite<V, R>(
  id: string,
  run: (variables: V) => Promise<R>,
  userOf: (result: R) => User,
) {
  const client = useQueryClient();
  return useApiMutation({
    run,
    invalidates: [USERS_KEY, FACTOR_RESETS_KEY],
    onSuccess: (result) => client.setQueryData(userQueries.detail(id).queryKey, userOf(result)),
  });
}

export type UserActions = {
  edit: boolean;
  grantRoles: boolean;
  unlock: boolean;
  changeStatus: boolean;
  resetPassword: boolean;
  resetFactors: boolean;
  revokeSessions: boolean;
  revokeSession: boolean;
  /** Why the management cards are hidden, when they are. */
  reason: string | null;
};

/**
 * What the signed-in operator may do to `user`: the route table (roles and scope, as the server's guard)
 * and the row rules the server adds: a super-admin is managed by super-admins only, roles are granted by a
 * super-admin, and nobody disables or factor-resets themselves.
 */
export function useUserActions(user: User): UserActions {
  const { operator } = useSession();
  const { decision } = usePermissions();
  const self = user.id === operator?.id;
  const rowOk = !user.roles.includes('super-admin') || hasRole(operator, 'super-admin');
  const may = (operation: Operation) => decision(operation).allowed && rowOk;
  const edit = decision('PATCH /api/v1/users/{id}');
  return {
    edit: may('PATCH /api/v1/users/{id}'),
    grantRoles: hasRole(operator, 'super-admin'),
    unlock: may('POST /api/v1/users/{id}/unlock'),
    changeStatus: may('POST /api/v1/users/{id}/disable') && !self,
    resetPassword: may('POST /api/v1/users/{id}/password-reset'),
    resetFactors: may('POST /api/v1/users/{id}/factor-reset') && !self,
    revokeSessions: decision('DELETE /api/v1/users/{id}/sessions').allowed,
    revokeSession: hasRole(operator, 'security-officer'),
    reason: !edit.allowed ? edit.reason : rowOk ? null : 'A super-admin is managed by super-admins only.',
  };
}
