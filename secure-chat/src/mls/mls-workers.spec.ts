import { WorkerCrashedError, WorkerTimeoutError } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { MlsLaneBusyError } from './mls-lanes.js';
import { mlsWorkError } from './mls-workers.js';

describe('mlsWorkError', () => {
  it('answers a full lane, a timed-out or crashed worker with 503 mls_busy and Retry-After', () => {
    for (const err of [
      new MlsLaneBusyError('full'),
      new WorkerTimeoutError('30 s'),
      new WorkerCrashedError('exit code 1'),
    ])
      expect(mlsWorkError(err)).toMatchObject({
        code: 'mls_busy',
        status: 503,
        details: { retryAfterSeconds: 2 },
      });
  });

  it('answers an error the task did not expect with 400 mls_malformed, without its message', () => {
    const answer = mlsWorkError(new Error('Cannot read properties of undefined (secret detail)'));
    expect(answer).toMatchObject({ code: 'mls_malformed', status: 400 });
    expect(answer.message).not.toContain('secret');
  });
});
