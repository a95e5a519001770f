import { AppError } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { chargedBytes, MIN_CHARGE_BYTES } from './files-rules.js';
import { UploadCreations } from './upload-creations.js';

const phone = { userId: 'amina', deviceId: 'dev-1' };
const token = { userId: 'amina', deviceId: null };

function refusal(f: () => void): { code: string; details: unknown } | null {
  try {
    f();
    return null;
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, details: err.details };
    throw err;
  }
}

describe('upload creations', () => {
  it('allows a burst of perMinute, then one every 60/perMinute seconds, with Retry-After', () => {
    const limit = new UploadCreations(6);
    for (let i = 0; i < 6; i++) expect(refusal(() => limit.require(phone, 0))).toBeNull();
    expect(refusal(() => limit.require(phone, 0))).toEqual({
      code: 'chat_rate_limited',
      details: { retryAfterSeconds: 10 },
    });
    expect(refusal(() => limit.require(phone, 9_000))).not.toBeNull();
    expect(refusal(() => limit.require(phone, 10_000))).toBeNull();
  });

  it('keeps one bucket per handset and one per official’s token', () => {
    const limit = new UploadCreations(1);
    limit.require(phone, 0);
    expect(refusal(() => limit.require(phone, 0))?.code).toBe('chat_rate_limited');
    expect(refusal(() => limit.require(token, 0))).toBeNull();
    expect(refusal(() => limit.require({ ...phone, deviceId: 'dev-2' }, 0))).toBeNull();
  });
});

describe('the quota charge', () => {
  it('counts a file at least 4 KiB, a larger one at its size', () => {
    expect(MIN_CHARGE_BYTES).toBe(4096);
    expect([0, 1, 4095, 4096, 4097, 1 << 20].map(chargedBytes)).toEqual([
      4096,
      4096,
      4096,
      4096,
      4097,
      1 << 20,
    ]);
  });
});
