import { AppError } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { CommitsInFlight } from './commits-in-flight.js';

describe('CommitsInFlight', () => {
  it("refuses a device's second commit while its first is checked, not another device's, and frees it after", async () => {
    const inFlight = new CommitsInFlight();
    let release!: () => void;
    const first = inFlight.one('d1', 'c1', () => new Promise<string>((r) => (release = () => r('first'))));
    const second = await inFlight.one('d1', 'c2', () => Promise.resolve('second')).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(AppError);
    expect(second).toMatchObject({
      code: 'chat_rate_limited',
      status: 429,
      details: { retryAfterSeconds: 1 },
    });
    await expect(inFlight.one('d2', 'c1', () => Promise.resolve('other'))).resolves.toBe('other');
    release();
    await expect(first).resolves.toBe('first');
    await expect(inFlight.one('d1', 'c3', () => Promise.resolve('next'))).resolves.toBe('next');
    // A failed commit frees the device too.
    await expect(inFlight.one('d1', 'c4', () => Promise.reject(new Error('refused')))).rejects.toThrow(
      'refused',
    );
    await expect(inFlight.one('d1', 'c5', () => Promise.resolve('after'))).resolves.toBe('after');
  });

  it("answers a retry of the commit in flight (same client id) with the first one's answer, without running it again", async () => {
    const inFlight = new CommitsInFlight();
    let release!: () => void;
    let runs = 0;
    const run = () => {
      runs++;
      return new Promise<string>((r) => (release = () => r('registered')));
    };
    const first = inFlight.one('d1', 'c1', run);
    const retried = inFlight.one('d1', 'c1', run);
    release();
    await expect(first).resolves.toBe('registered');
    await expect(retried).resolves.toBe('registered');
    expect(runs).toBe(1);
    // A refusal reaches the retry too.
    const failing = inFlight.one('d1', 'c2', () => Promise.reject(new Error('refused')));
    const failingRetry = inFlight.one('d1', 'c2', () => Promise.resolve('never'));
    await expect(failing).rejects.toThrow('refused');
    await expect(failingRetry).rejects.toThrow('refused');
  });
});
