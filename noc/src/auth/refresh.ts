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

/**
 * The server's idle timeout (30 min, 15 at AAL3) counts API calls, and this tab calls the API by itself
 * (polling, renewals), which would keep an unattended NOC signed in forever. So the tab tracks the
 * operator's own activity and, once idle that long, signs out instead of renewing.
 */
const IDLE_LIMIT_MS = { aal3: 15 * 60_000, other: 30 * 60_000 } as const;
let lastActivity = Date.now();

export function noteActivity(now = Date.now()): void {
  lastActivity = now;
}

export function idleTooLong(acr: string | null | undefined, now = Date.now()): boolean {
  return now - lastActivity > (acr === 'aal3' ? IDLE_LIMIT_MS.aal3 : IDLE_LIMIT_MS.other);
}

export const SIGNED_OUT_IDLE = 'You were signed out after a period without activity. Please sign in again.';

function renewOrSignOut(): void {
  if (idleTooLong(session.get().operator?.acr)) {
    const token = session.token();
    // End the session on the server too (best effort), so its refresh token dies with it.
    if (token)
      void fetch('/api/v1/auth/logout', {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
      }).catch(() => undefined);
    session.signOut(SIGNED_OUT_IDLE);
    return;
  }
  void refreshSession();
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
  timer = setTimeout(renewOrSignOut, delay);
}

/** Keeps the access token renewed shortly before it expires, for as long as the tab holds a session. */
export function keepSessionFresh(): void {
  for (const event of ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const)
    window.addEventListener(event, () => noteActivity(), { passive: true, capture: true });
  session.subscribe(schedule);
  schedule();
}
