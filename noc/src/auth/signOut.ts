import { api } from '../api/client';
import { session } from './session';

const LOGOUT_TIMEOUT_MS = 3_000;

/**
 * Ends the session on the server first (so its refresh token dies with it), then forgets it in this tab,
 * whatever the answer: an unreachable server must not keep anyone signed in here.
 */
export async function signOut(): Promise<void> {
  if (session.token()) {
    try {
      await api.POST('/api/v1/auth/logout', { signal: AbortSignal.timeout(LOGOUT_TIMEOUT_MS) });
    } catch {
      // Offline or slow: the server ends the session at its idle timeout instead.
    }
  }
  session.signOut();
}
