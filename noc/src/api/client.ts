import { createApiClient } from '@pakawaaz/api-client';
export {
  ApiError,
  asApiError,
  isAbort,
  unwrap,
  type ErrorReply,
  type FieldIssue,
  type Schemas,
} from '@pakawaaz/api-client';

import { freshToken, refreshSession, SESSION_ENDED } from '../auth/refresh';
import { session } from '../auth/session';

/** Sign-in steps and the refresh itself: public, and a 401 there is an answer, not an expired session. */
const PUBLIC_PATHS: ReadonlySet<string> = new Set([
  '/api/v1/auth/login',
  '/api/v1/auth/login/totp',
  '/api/v1/auth/login/recovery-code',
  '/api/v1/auth/login/password',
  '/api/v1/auth/login/totp-enrolment',
  '/api/v1/auth/login/start',
  '/api/v1/auth/login/password-factor',
  '/api/v1/auth/login/passkey',
  '/api/v1/auth/login/passkey/options',
  '/api/v1/auth/refresh',
]);

/** Whether a 401 is the bearer token being refused (not, say, a wrong current password). */
async function tokenRefused(response: Response): Promise<boolean> {
  if (response.status !== 401) return false;
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => null);
  return (
    typeof body !== 'object' ||
    body === null ||
    !('code' in body) ||
    body.code === undefined ||
    body.code === 'unauthenticated'
  );
}

function withBearer(request: Request, token: string): Request {
  request.headers.set('Authorization', `Bearer ${token}`);
  return request;
}

/**
 * Every API call goes through here: it carries the session's access token (renewed first when about to
 * expire) and, when the server refuses that token, renews it once and retries the call. A call that brings
 * its own Authorization (the profile load right after a sign-in) or needs none goes out unchanged.
 */
async function authFetch(request: Request): Promise<Response> {
  if (request.headers.has('Authorization') || PUBLIC_PATHS.has(new URL(request.url).pathname))
    return fetch(request);
  const token = await freshToken();
  if (!token) return fetch(request);
  const retry = request.clone();
  const response = await fetch(withBearer(request, token));
  if (!(await tokenRefused(response))) return response;
  // Only renew the session whose token was refused (not a newer one from a re-login meanwhile).
  const current = session.token();
  const renewed = current !== token ? current : await refreshSession();
  if (!renewed) return response;
  const second = await fetch(withBearer(retry, renewed));
  if ((await tokenRefused(second)) && session.token() === renewed) session.signOut(SESSION_ENDED);
  return second;
}

/** Typed client for the same-origin Pakawaaz API (@pakawaaz/api-client, generated from openapi.json). */
export const api = createApiClient({ baseUrl: window.location.origin, fetch: authFetch });
