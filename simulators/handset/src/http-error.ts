/** An HTTP reply a simulated handset did not expect, with the server's error code when it sent one. */
export class HandsetHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}${code ? ` ${code}` : ''}`);
    this.name = 'HandsetHttpError';
  }
}
