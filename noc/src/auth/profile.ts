import { api, unwrap } from '../api/client';
import { session } from './session';

/** Re-reads the signed-in profile (factors, roles) after the operator changed something about it. */
export async function reloadProfile(signal?: AbortSignal): Promise<void> {
  const sessionId = session.get().operator?.sessionId;
  const profile = await unwrap(api.GET('/api/v1/auth/me', { signal }));
  // Still the same sign-in (a sign-out or a new sign-in meanwhile has its own profile).
  if (session.token() && (sessionId === undefined || profile.sessionId === sessionId))
    session.setOperator(profile);
}
