import { useEffect } from 'react';
import { api, unwrap } from '../../api/client';
import { refreshSession } from '../../auth/refresh';
import { session } from '../../auth/session';
import { apiQuery, useApiQuery } from '../../data/hooks';

export const PROFILE_KEY = ['account', 'profile'] as const;
export const PASSKEYS_KEY = ['account', 'passkeys'] as const;

export const accountQueries = {
  profile: () => apiQuery(PROFILE_KEY, (signal) => unwrap(api.GET('/api/v1/auth/me', { signal }))),
  passkeys: () => apiQuery(PASSKEYS_KEY, (signal) => unwrap(api.GET('/api/v1/account/passkeys', { signal }))),
};

/**
 * The profile in the session is from the sign-in; factors may have changed since (another tab, an officer).
 * My account reads it again, and every change there invalidates PROFILE_KEY, so the session (and the shell)
 * follow. A profile of another sign-in (a sign-out meanwhile) is ignored.
 */
export function useFreshProfile() {
  const query = useApiQuery(accountQueries.profile());
  const { data, refresh } = query;
  useEffect(() => {
    if (!data || !session.token()) return;
    const current = session.get().operator;
    if (current === null || current.sessionId === data.sessionId) session.setOperator(data);
    // The second factor the MFA policy asked for is there: a renewed token carries the roles again.
    if (current?.mfaEnrolmentRequired && !data.mfaEnrolmentRequired && data.roles.length === 0)
      void refreshSession().then((token) => token && refresh());
  }, [data, refresh]);
  return query;
}
