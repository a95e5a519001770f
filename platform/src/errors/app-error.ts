/** HTTP statuses an error code may map to. */
export type HttpStatus = 400 | 401 | 403 | 404 | 405 | 409 | 410 | 413 | 415 | 416 | 422 | 429 | 500 | 503;

/**
 * An error a client may see: a stable machine code, a human message that says what to do, and the HTTP
 * status the code maps to. Anything that is not an AppError is reported as internal_error with an error id.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: HttpStatus,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/**
 * Declares a domain's error codes with their HTTP statuses and returns a typed factory.
 * The map must list every code of the union (`satisfies Record<Code, HttpStatus>` at the call site).
 */
export function defineErrors<const M extends Record<string, HttpStatus>>(statuses: M) {
  return (code: keyof M & string, message: string, details?: unknown): AppError =>
    new AppError(code, message, statuses[code] as HttpStatus, details);
}
