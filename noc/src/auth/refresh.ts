import type { components } from '../api/schema';
import { session } from './session';

type LoginStep = components['schemas']['LoginStep'];

const REFRESH_PATH = '/api/v1/auth/refresh';
/** Renew this long before the access token expires (it lives 10 minutes), so no call goes out with a dying one. */
const RENEW_BEFORE_MS = 60_000;
/** A call about to go out with a token this close to its expiry waits for a renewal first. */
const STALE_WITHIN_MS = 15_000;

export const SESSION_ENDED = 'Your session has ended. Please sign in again.';

let inflight: Promise<string | null> | null = null;

/**
 * Rotates the tokens once for everyone: each refresh token works only once and the server ends the whole
 * session when one is presented twice, so concurrent callers must share a single refresh. Resolves to the
 * new access token, or null when there is none (the session ended and was signed out, or the server was
 * unreachable and the session is kept for the next attempt).
 */
export function refreshSession(): Promise<string | null> {
  inflight ??= renew().finally(() => {
    inflight = null;
  });
  return inflight;
}

async function renew(): Promise<string | null> {
  const refreshToken = session.refreshToken();
  if (!refreshToken) {
    if (session.token()) session.signOut(SESSION_ENDED); // an access token alone cannot be renewed
    return null;
  }
  let response: Response;
  try {
    response = await fetch(REFRESH_PATH, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
  } catch {
    return null;
  }
  // Signed out, or signed in afresh, while the refresh was under way: that newer state wins.
  if (session.refreshToken() !== refreshToken) return session.token();
  if (response.status >= 500) return null;
  const step = response.ok ? ((await response.json().catch(() => null)) as LoginStep | null) : null;
  if (step?.status !== 'authenticated') {
    session.signOut(SESSION_ENDED);
    return null;
  }
  session.setTokens(step);
  return step.accessToken;
}

/** Before a call: renews first when the access token is about to expire (a timer may have slept). */
export async function freshToken(): Promise<string | null> {
  const expiresAt = session.expiresAt();
  if (expiresAt !== null && expiresAt - Date.now() < STALE_WITHIN_MS) return refreshSession();
  return session.token();
}

let timer: ReturnType<typeof setTimeout> | undefined;
let scheduledFor: number | null = null;

function schedule(): void {
  const expiresAt = session.expiresAt();
  if (expiresAt === scheduledFor) return;
  clearTimeout(timer);
  scheduledFor = expiresAt;
  if (expiresAt === null) return;
  const delay = Math.max(0, expiresAt - Date.now() - RENEW_BEFORE_MS);
  timer = setTimeout(() => void refreshSession(), delay);
}

/** Keeps the access token renewed shortly before it expires, for as long as the tab holds a session. */
export function keepSessionFresh(): void {
  session.subscribe(schedule);
  schedule();
}
