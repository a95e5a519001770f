import type { ArgumentsHost } from '@nestjs/common';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
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

  it('gives no Retry-After to a 500', () => {
    const sent = answer(new Error('boom'));
    expect(sent.status).toBe(500);
    expect(sent.headers['retry-after']).toBeUndefined();
  });
});
