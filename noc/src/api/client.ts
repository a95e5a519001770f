import createClient from 'openapi-fetch';
import type { components, paths } from './schema';
import { freshToken, refreshSession, SESSION_ENDED } from '../auth/refresh';
import { session } from '../auth/session';

export type Schemas = components['schemas'];
export type ErrorReply = Schemas['ErrorReply'];

/**
 * One field-level problem: the `details` of a `validation_failed` reply, or `details.errors` of an
 * `invalid_network_spec` reply (neither is in the ErrorReply schema yet).
 */
export type FieldIssue = { path: string; message: string };

/** An API failure, normalised from the server's ErrorReply `{ code, message, requestId, details? }`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  readonly issues: readonly FieldIssue[];

  constructor(
    status: number,
    code: string,
    message: string,
    requestId: string | null,
    issues: readonly FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.issues = issues;
  }
}

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
  return !isRecord(body) || body.code === undefined || body.code === 'unauthenticated';
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

/** Typed client for the same-origin Pakawaaz API (types generated from openapi.json by `npm run gen:api`). */
export const api = createClient<paths>({ baseUrl: window.location.origin, fetch: authFetch });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function fieldIssues(details: unknown): FieldIssue[] {
  const list: unknown =
    isRecord(details) && !Array.isArray(details) && Array.isArray(details.errors) ? details.errors : details;
  if (!Array.isArray(list)) return [];
  return list.flatMap((d) =>
    isRecord(d) && typeof d.message === 'string'
      ? [{ path: typeof d.path === 'string' ? d.path : '', message: d.message }]
      : [],
  );
}

function toApiError(response: Response, body: unknown): ApiError {
  const headerRequestId = response.headers.get('x-request-id');
  if (isRecord(body)) {
    const code = typeof body.code === 'string' ? body.code : `http_${response.status}`;
    const requestId = typeof body.requestId === 'string' ? body.requestId : headerRequestId;
    const message = Array.isArray(body.message)
      ? body.message.filter((m): m is string => typeof m === 'string').join('; ')
      : typeof body.message === 'string'
        ? body.message
        : '';
    if (message) return new ApiError(response.status, code, message, requestId, fieldIssues(body.details));
  }
  const fallback =
    response.status >= 500
      ? `The server could not complete the request (HTTP ${response.status}).`
      : `The request was refused (HTTP ${response.status}).`;
  return new ApiError(response.status, `http_${response.status}`, fallback, headerRequestId);
}

type Outcome<D> = { data?: D; error?: unknown; response: Response };

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

/**
 * Await an openapi-fetch call and return its data, or throw an ApiError.
 * Aborts are rethrown unchanged so callers can ignore them.
 */
export async function unwrap<D>(pending: Promise<Outcome<D>>): Promise<D> {
  let outcome: Outcome<D>;
  try {
    outcome = await pending;
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError(
      0,
      'network_error',
      'Cannot reach the Pakawaaz server. Check the network connection.',
      null,
    );
  }
  const { data, error, response } = outcome;
  if (error !== undefined || !response.ok) throw toApiError(response, error);
  return data as D;
}

/** Turn anything caught into an ApiError for display. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error && error.message ? error.message : 'Unexpected error.';
  return new ApiError(0, 'client_error', message, null);
}
