import type { ArgumentsHost } from '@nestjs/common';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import { AllExceptionsFilter } from './all-exceptions.filter.js';

const quiet = { warn: () => undefined, error: () => undefined } as unknown as Logger;

function answer(exception: unknown) {
  const sent = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown };
  const reply = {
    header(name: string, value: string) {
      sent.headers[name] = value;
      return reply;
    },
    status(code: number) {
      sent.status = code;
      return reply;
    },
    send(body: unknown) {
      sent.body = body;
      return reply;
    },
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => ({ id: 'req-1' }), getResponse: () => reply }),
  } as unknown as ArgumentsHost;
  new AllExceptionsFilter(quiet).catch(exception, host);
  return sent;
}

describe('AllExceptionsFilter', () => {
  it('answers an exhausted connection pool with 503 database_unavailable and Retry-After, not a 500', () => {
    const sent = answer(new Error('timeout exceeded when trying to connect'));
    expect(sent.status).toBe(503);
    expect(sent.headers['retry-after']).toBe('1');
    expect(sent.body).toMatchObject({ code: 'database_unavailable' });
  });

  it("gives a 503 whose details say when to come back its Retry-After (an overloaded worker pool's)", () => {
    const sent = answer(new AppError('mls_busy', 'busy', 503, { retryAfterSeconds: 2 }));
    expect([sent.status, sent.headers['retry-after']]).toEqual([503, '2']);
  });

  it('gives no Retry-After to a 500', () => {
    const sent = answer(new Error('boom'));
    expect(sent.status).toBe(500);
    expect(sent.headers['retry-after']).toBeUndefined();
  });
});
