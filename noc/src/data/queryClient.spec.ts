import { describe, expect, it, vi } from 'vitest';

// The unit project runs in node; the API client reads the page's origin when it loads.
vi.hoisted(() => {
  Object.assign(globalThis, { window: { location: { origin: 'http://noc.test' } } });
});
import { ApiError } from '../api/client';
import { withDeadline } from './hooks';
import { shouldRetry } from './queryClient';

const error = (status: number) => new ApiError(status, `http_${status}`, 'x', null);

describe('read retries', () => {
  it('retries network failures and 5xx twice, never a 4xx or a non-API error', () => {
    expect(shouldRetry(0, error(0))).toBe(true);
    expect(shouldRetry(1, error(503))).toBe(true);
    expect(shouldRetry(2, error(503))).toBe(false);
    for (const status of [400, 401, 403, 404, 409, 422, 429])
      expect(shouldRetry(0, error(status))).toBe(false);
    expect(shouldRetry(0, new Error('boom'))).toBe(false);
  });
});

// Like fetch: never settles on its own, rejects with the signal's reason when aborted.
const never = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));

describe('withDeadline', () => {
  it('turns a missed deadline into a timeout ApiError', async () => {
    const caught = await withDeadline(never, new AbortController().signal, 20).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).code).toBe('timeout');
  });

  it('passes a cancellation through as an abort, not an error to show', async () => {
    const controller = new AbortController();
    const pending = withDeadline(never, controller.signal, 5_000).catch((e: unknown) => e);
    controller.abort(new DOMException('gone', 'AbortError'));
    const caught = await pending;
    expect(caught).toBeInstanceOf(DOMException);
  });
});
