import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { AppError } from './app-error.js';
import { platformError } from './platform.errors.js';

export type ErrorReply = {
  code: string;
  message: string;
  requestId: string;
  details?: unknown;
  errorId?: string;
};

type Translation = { error: AppError } | { internal: true };

/** Postgres/driver conditions that mean "the database is not reachable right now", not "your request is wrong". */
const DB_UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08006',
]);

/**
 * The Retry-After of a 503 `database_unavailable` (no connection free within the pool's timeout, or none at
 * all): short, as a busy pool frees up within a second or so.
 */
export const DATABASE_RETRY_AFTER_SECONDS = 1;

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && DB_UNAVAILABLE_CODES.has(code)) return true;
    const msg = (e as { message?: unknown }).message;
    if (
      typeof msg === 'string' &&
      /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
        msg,
      )
    ) {
      return true;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Maps framework errors (Nest HttpException, Fastify errors) to our codes. */
function translate(err: unknown): Translation {
  if (err instanceof AppError) return { error: err };
  if (err instanceof ZodError) {
    return {
      error: platformError(
        'validation_failed',
        'The request does not match the expected schema.',
        err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      ),
    };
  }
  if (isDatabaseUnavailable(err)) {
    return { error: platformError('database_unavailable', 'The database is unavailable; retry shortly.') };
  }
  // `throw undefined` / `Promise.reject()` must still become a 500, not crash the filter.
  const e = (err ?? {}) as {
    code?: unknown;
    statusCode?: unknown;
    status?: unknown;
    getStatus?: () => number;
    message?: string;
  };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        error: platformError('payload_too_large', 'The request body is larger than the server accepts.'),
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { error: platformError('unsupported_media_type', 'Send the request body as application/json.') };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        error: platformError(
          'malformed_json',
          'The request body is empty but Content-Type is application/json.',
        ),
      };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { error: platformError('malformed_json', 'Content-Length does not match the body.') };
    default:
      break;
  }
  const status =
    typeof e.getStatus === 'function'
      ? e.getStatus()
      : typeof e.statusCode === 'number'
        ? e.statusCode
        : undefined;
  if (err instanceof SyntaxError || (status === 400 && /JSON/i.test(e.message ?? ''))) {
    return { error: platformError('malformed_json', 'The request body is not valid JSON.') };
  }
  if (status === 404) return { error: platformError('not_found', 'No such route or resource.') };
  if (status === 405)
    return { error: platformError('method_not_allowed', 'This method is not allowed on this route.') };
  if (status === 413)
    return {
      error: platformError('payload_too_large', 'The request body is larger than the server accepts.'),
    };
  if (status === 415)
    return { error: platformError('unsupported_media_type', 'Send the request body as application/json.') };
  if (status === 401) return { error: platformError('unauthenticated', 'Authentication is required.') };
  if (status === 403) return { error: platformError('forbidden', 'You are not allowed to do this.') };
  if (status === 429) return { error: platformError('rate_limited', 'Too many requests; slow down.') };
  if (status !== undefined && status >= 400 && status < 500) {
    return { error: platformError('validation_failed', 'The request is not valid.') };
  }
  return { internal: true };
}

/** Builds the `{ code, message, requestId }` body and status for any thrown value; logs 500s with an error id. */
export function toErrorReply(
  err: unknown,
  requestId: string,
  logger: Logger,
): { status: number; body: ErrorReply } {
  const t = translate(err);
  if ('error' in t) {
    const body: ErrorReply = { code: t.error.code, message: t.error.message, requestId };
    if (t.error.details !== undefined) body.details = t.error.details;
    if (t.error.status === 503) logger.warn({ requestId, code: t.error.code }, t.error.message);
    return { status: t.error.status, body };
  }
  const errorId = randomUUID();
  logger.error({ err, errorId, requestId }, 'unhandled error');
  return {
    status: 500,
    body: {
      code: 'internal_error',
      message: `Something went wrong on our side. Quote error id ${errorId} to the NOC.`,
      requestId,
      errorId,
    },
  };
}
