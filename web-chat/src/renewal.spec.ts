import { describe, expect, it } from 'vitest';
import { afterRenewalFailure, retryAfterSeconds } from './renewal.ts';

const MIN = 60_000;

describe('afterRenewalFailure', () => {
  it('signs out on a definitive refusal, whatever time is left', () => {
    for (const code of [
      'refresh_token_invalid',
      'device_certificate_refused',
      'dpop_binding_failed',
      'dpop_proof_invalid',
      'forbidden',
    ])
      expect(afterRenewalFailure({ status: 401, code }, 0, 10 * MIN)).toEqual({ action: 'sign-out' });
    // The client's own check that the answer is bound (a code, no HTTP status).
    expect(afterRenewalFailure({ code: 'dpop_binding_failed' }, 0, 10 * MIN).action).toBe('sign-out');
  });

  it('retries a network failure, a 5xx and 503 device_management_unavailable with a growing pause', () => {
    expect(afterRenewalFailure({}, 0, 10 * MIN)).toEqual({ action: 'retry', afterMs: 5_000 });
    expect(afterRenewalFailure({ status: 502 }, 1, 10 * MIN)).toEqual({ action: 'retry', afterMs: 10_000 });
    expect(afterRenewalFailure({ status: 503, code: 'device_management_unavailable' }, 9, 10 * MIN)).toEqual({
      action: 'retry',
      afterMs: 60_000,
    });
  });

  it('honours Retry-After on 429 and 503', () => {
    expect(afterRenewalFailure({ status: 429, retryAfterSeconds: 7 }, 0, 10 * MIN)).toEqual({
      action: 'retry',
      afterMs: 7_000,
    });
    expect(afterRenewalFailure({ status: 503, retryAfterSeconds: 30 }, 3, 10 * MIN)).toEqual({
      action: 'retry',
      afterMs: 30_000,
    });
  });

  it('tries once more before the token expires, and signs out once it has', () => {
    expect(afterRenewalFailure({ status: 429, retryAfterSeconds: 600 }, 0, 20_000)).toEqual({
      action: 'retry',
      afterMs: 19_000,
    });
    expect(afterRenewalFailure({ status: 503 }, 5, 500)).toEqual({ action: 'sign-out' });
  });
});

describe('retryAfterSeconds', () => {
  it('reads delay-seconds and an HTTP date (RFC 9110 §10.2.3)', () => {
    expect(retryAfterSeconds('120')).toBe(120);
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(retryAfterSeconds('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30);
    expect(retryAfterSeconds(null)).toBeUndefined();
    expect(retryAfterSeconds('soon')).toBeUndefined();
  });
});
