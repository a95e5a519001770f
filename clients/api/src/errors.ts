/**
 * The API's failures as the clients see them, without the HTTP client itself: a CLI with its own transport
 * imports `@pakawaaz/api-client/errors` and so never loads openapi-fetch (and the fetch machinery it needs).
 */

/**
 * One field-level problem: the `details` of a `validation_failed` reply, or `details.errors` of an
 * `invalid_network_spec` reply.
 */
export type FieldIssue = { path: string; message: string };

/** What the error handling reads of a reply: a fetch `Response` has it, and so has the CLI's own transport's. */
export type ReplyHead = { status: number; ok: boolean; headers: { get(name: string): string | null } };

/**
 * An API failure, normalised from the server's ErrorReply `{ code, message, requestId, details? }`.
 * `status` 0 with code `network_error` means no answer at all (the server is unreachable); the original
 * failure is the `cause`.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  readonly issues: readonly FieldIssue[];
  readonly details: unknown;

  constructor(
    status: number,
    code: string,
    message: string,
    requestId: string | null,
    issues: readonly FieldIssue[] = [],
    options: { details?: unknown; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.issues = issues;
    this.details = options.details;
  }
}

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

/** The ApiError for a non-2xx response whose (parsed, when JSON) body is `body`. */
export function toApiError(response: ReplyHead, body: unknown): ApiError {
  const headerRequestId = response.headers.get('x-request-id');
  if (isRecord(body)) {
    const code = typeof body.code === 'string' ? body.code : `http_${response.status}`;
    const requestId = typeof body.requestId === 'string' ? body.requestId : headerRequestId;
    const message = Array.isArray(body.message)
      ? body.message.filter((m): m is string => typeof m === 'string').join('; ')
      : typeof body.message === 'string'
        ? body.message
        : '';
    if (message)
      return new ApiError(response.status, code, message, requestId, fieldIssues(body.details), {
        details: body.details,
      });
  }
  const fallback =
    response.status >= 500
      ? `The server could not complete the request (HTTP ${response.status}).`
      : `The request was refused (HTTP ${response.status}).`;
  return new ApiError(response.status, `http_${response.status}`, fallback, headerRequestId);
}

export function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

type Outcome<D> = { data?: D; error?: unknown; response: ReplyHead };

/**
 * Await an openapi-fetch call and return its data, or throw an ApiError (`network_error` when nothing
 * answered). Aborts, and errors a middleware throws, are rethrown unchanged.
 */
export async function unwrap<D>(pending: Promise<Outcome<D>>): Promise<D> {
  let outcome: Outcome<D>;
  try {
    outcome = await pending;
  } catch (error) {
    // fetch rejects with a TypeError when nothing answers; aborts and a middleware's own errors pass as they are.
    if (isAbort(error) || !(error instanceof TypeError)) throw error;
    throw new ApiError(
      0,
      'network_error',
      'Cannot reach the Pakawaaz server. Check the network connection.',
      null,
      [],
      {
        cause: error,
      },
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
