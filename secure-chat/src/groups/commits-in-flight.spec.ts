import { AppError } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { CommitsInFlight } from './commits-in-flight.js';

describe('CommitsInFlight', () => {
  it("refuses a device's second commit while its first is checked, not another device's, and frees it after", async () => {
    const inFlight = new CommitsInFlight();
    let release!: () => void;
    const first = inFlight.one('d1', () => new Promise<string>((r) => (release = () => r('first'))));
    const second = await inFlight.one('d1', () => Promise.resolve('second')).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(AppError);
    expect(second).toMatchObject({
      code: 'chat_rate_limited',
      status: 429,
      details: { retryAfterSeconds: 1 },
    });
    await expect(inFlight.one('d2', () => Promise.resolve('other'))).resolves.toBe('other');
    release();
    await expect(first).resolves.toBe('first');
    await expect(inFlight.one('d1', () => Promise.resolve('next'))).resolves.toBe('next');
    // A failed commit frees the device too.
    await expect(inFlight.one('d1', () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    await expect(inFlight.one('d1', () => Promise.resolve('after'))).resolves.toBe('after');
  });
});
