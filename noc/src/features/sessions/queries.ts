import { api, unwrap } from '../../api/client';
import { signOut } from '../../auth/signOut';
import { apiQuery, useApiMutation } from '../../data/hooks';
import type { LiveSession } from '../../identity';
import { navigate } from '../../router';

/**
 * Every list of live sessions is under one of these keys, so ending a session refreshes each table that
 * shows it (the all-sessions page, a user's page, My account).
 */
export const SESSION_KEYS = [['sessions'], ['users'], ['account', 'sessions']] as const;

export const sessionQueries = {
  all: () => apiQuery(['sessions'], (signal) => unwrap(api.GET('/api/v1/sessions', { signal }))),
  mine: () =>
    apiQuery(['account', 'sessions'], (signal) => unwrap(api.GET('/api/v1/account/sessions', { signal }))),
};

/**
 * Ends one session. The caller's own session is a sign-out (its tokens go with it), anyone else's a revoke
 * that the server enforces: the signed-in user's own sessions, or anyone's for a security officer.
 */
export function useEndSession(onEnded?: (session: LiveSession) => void) {
  const mutation = useApiMutation({
    run: (s: LiveSession) => unwrap(api.DELETE('/api/v1/sessions/{id}', { params: { path: { id: s.id } } })),
    invalidates: SESSION_KEYS,
    onSuccess: (_result, s) => onEnded?.(s),
  });
  const { run } = mutation;
  return async (s: LiveSession): Promise<void> => {
    if (s.current) {
      await signOut();
      navigate('/login');
      return;
    }
    await run(s);
  };
}
