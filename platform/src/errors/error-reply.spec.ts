import { Writable } from 'node:stream';
import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  InternalServerErrorException,
  MethodNotAllowedException,
  NotFoundException,
  PayloadTooLargeException,
  UnauthorizedException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { errorCodes } from 'fastify';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DatabaseUnavailableError } from '../db/database.js';
import { createLogger } from '../logging/logger.js';
import { AppError } from './app-error.js';
import { isDatabaseUnavailable, toErrorReply } from './error-reply.js';

type LogLine = Record<string, unknown> & { level: string; msg: string };

function capture() {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as LogLine);
      cb();
    },
  });
  return { logger: createLogger({ level: 'info' }, stream), lines };
}

const REQ = 'req-42';

function reply(err: unknown) {
  const { logger, lines } = capture();
  return { ...toErrorReply(err, REQ, logger), lines };
}

describe('toErrorReply: AppError', () => {
  it('passes code, message, status and details through, with the request id', () => {
    const details = [{ path: 'imsi', message: 'expected 15 digits' }];
    const r = reply(new AppError('sim_not_found', 'No SIM with this IMSI.', 404, details));
    expect(r.status).toBe(404);
    expect(r.body).toEqual({
      code: 'sim_not_found',
      message: 'No SIM with this IMSI.',
      requestId: REQ,
      details,
    });
    expect(r.lines).toEqual([]);
  });

  it('leaves details out of the body when the error has none', () => {
    const r = reply(new AppError('conflict_x', 'Already there.', 409));
    expect(r.body).toEqual({ code: 'conflict_x', message: 'Already there.', requestId: REQ });
    expect('details' in r.body).toBe(false);
  });
});

describe('toErrorReply: framework errors', () => {
  it.each([
    [new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), 413, 'payload_too_large'],
    [new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE('text/plain'), 415, 'unsupported_media_type'],
    [new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), 400, 'malformed_json'],
    [new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH(), 400, 'malformed_json'],
  ])('Fastify %s → %i %s', (err, status, code) => {
    const r = reply(err);
    expect(r.status).toBe(status);
    expect(r.body.code).toBe(code);
    expect(r.body.requestId).toBe(REQ);
    expect(r.body.errorId).toBeUndefined();
  });

  it('maps a JSON SyntaxError (what the body parser throws) to 400 malformed_json without echoing the parser message', () => {
    let syntax: unknown;
    try {
      JSON.parse('{"imsi": 0010100000000');
    } catch (e) {
      syntax = Object.assign(e as Error, { statusCode: 400 });
    }
    const r = reply(syntax);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      code: 'malformed_json',
      message: 'The request body is not valid JSON.',
      requestId: REQ,
    });
  });

  it('maps a 400 whose message mentions JSON to malformed_json and any other 4xx to validation_failed', () => {
    expect(reply(new BadRequestException('Unexpected end of JSON input')).body.code).toBe('malformed_json');
    expect(reply(new BadRequestException('Validation failed (uuid is expected)')).body.code).toBe(
      'validation_failed',
    );
    expect(reply(new HttpException('Gone', 410)).body.code).toBe('validation_failed');
    expect(reply(new HttpException('Gone', 410)).status).toBe(400);
  });

  it.each([
    [new NotFoundException('Cannot GET /nope'), 404, 'not_found'],
    [new MethodNotAllowedException(), 405, 'method_not_allowed'],
    [new PayloadTooLargeException(), 413, 'payload_too_large'],
    [new UnsupportedMediaTypeException(), 415, 'unsupported_media_type'],
    [new UnauthorizedException(), 401, 'unauthenticated'],
    [new ForbiddenException(), 403, 'forbidden'],
    [new HttpException('slow down', 429), 429, 'rate_limited'],
  ])('Nest %s → %i %s', (err, status, code) => {
    const r = reply(err);
    expect(r.status).toBe(status);
    expect(r.body.code).toBe(code);
  });

  it('does not leak the Nest exception message (it may contain the requested path)', () => {
    const r = reply(new NotFoundException('Cannot GET /api/v1/operators/alice-secret-id'));
    expect(JSON.stringify(r.body)).not.toContain('alice-secret-id');
  });

  it('maps a ZodError to validation_failed with the failing paths as details', () => {
    const result = z
      .object({ sim: z.object({ imsi: z.string().regex(/^\d{15}$/) }) })
      .safeParse({ sim: { imsi: 'x' } });
    if (result.success) throw new Error('expected the fixture to fail');
    const r = reply(result.error);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('validation_failed');
    expect(r.body.details).toEqual([{ path: 'sim.imsi', message: expect.any(String) as string }]);
  });
});

describe('isDatabaseUnavailable / database_unavailable', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const adminShutdown = Object.assign(new Error('terminating connection due to administrator command'), {
    code: '57P01',
  });
  const terminated = new Error('Connection terminated unexpectedly');
  const drizzleWrapped = new Error('Failed query: select 1\nparams: ', { cause: adminShutdown });
  const deeplyWrapped = new Error('outer', { cause: new Error('middle', { cause: terminated }) });

  it.each([
    ['ECONNREFUSED', refused],
    ['SQLSTATE 57P01 admin_shutdown', adminShutdown],
    ['"Connection terminated unexpectedly"', terminated],
    ['a Drizzle error whose cause is 57P01', drizzleWrapped],
    ['a connection loss two causes deep', deeplyWrapped],
    ['DatabaseUnavailableError from openDatabase', new DatabaseUnavailableError('postgres://db', refused)],
    ['a pool connect timeout', new Error('timeout exceeded when trying to connect')],
  ])('%s → 503 database_unavailable, logged as a warning', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
    const r = reply(err);
    expect(r.status).toBe(503);
    expect(r.body).toEqual({
      code: 'database_unavailable',
      message: 'The database is unavailable; retry shortly.',
      requestId: REQ,
    });
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatchObject({ level: 'warn', requestId: REQ, code: 'database_unavailable' });
  });

  it('does not mistake request errors from the database for an outage', () => {
    const unique = Object.assign(
      new Error('duplicate key value violates unique constraint "operators_username_unique"'),
      { code: '23505' },
    );
    expect(isDatabaseUnavailable(unique)).toBe(false);
    expect(isDatabaseUnavailable(new Error('Failed query', { cause: unique }))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
    expect(reply(unique).status).toBe(500);
  });

  it('terminates on a cyclic cause chain', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(isDatabaseUnavailable(a)).toBe(false);
  });
});

describe('toErrorReply: anything else is a 500 with an error id', () => {
  it('replies internal_error with an error id quoted in the message and logs the original error under that id', () => {
    const secret = 'password authentication failed for user "pakawaaz" with hunter2';
    const err = new TypeError(secret);
    const r = reply(err);

    expect(r.status).toBe(500);
    expect(r.body.code).toBe('internal_error');
    expect(r.body.requestId).toBe(REQ);
    expect(r.body.errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.message).toContain(r.body.errorId);

    const serialized = JSON.stringify(r.body);
    expect(serialized).not.toContain('hunter2');
    expect(serialized).not.toContain('TypeError');
    expect(serialized).not.toContain('error-reply.spec');
    expect(Object.keys(r.body).sort()).toEqual(['code', 'errorId', 'message', 'requestId']);

    expect(r.lines).toHaveLength(1);
    const line = r.lines[0] as LogLine & { err: { message: string; stack: string } };
    expect(line.level).toBe('error');
    expect(line.errorId).toBe(r.body.errorId);
    expect(line.requestId).toBe(REQ);
    expect(line.err.message).toBe(secret);
    expect(line.err.stack).toContain('error-reply.spec');
  });

  it('gives each failure its own error id', () => {
    const a = reply(new Error('x')).body.errorId;
    const b = reply(new Error('x')).body.errorId;
    expect(a).not.toBe(b);
  });

  it('treats Nest 5xx exceptions and thrown non-errors as internal too', () => {
    for (const thrown of [
      new InternalServerErrorException('db creds: hunter2'),
      'a string hunter2',
      42,
      { weird: 'hunter2' },
    ]) {
      const r = reply(thrown);
      expect(r.status).toBe(500);
      expect(r.body.code).toBe('internal_error');
      expect(JSON.stringify(r.body)).not.toContain('hunter2');
    }
  });

  // KNOWN BUG (reported, not fixed here): translate() reads `.code` of the thrown value, so `throw undefined`,
  // `throw null` or `Promise.reject()` crash the global exception filter with a TypeError instead of replying
  // 500 internal_error. Drop `.fails` once error-reply.ts guards against nullish values.
  it('replies 500 internal_error for a thrown undefined or null', () => {
    for (const thrown of [undefined, null]) {
      const r = reply(thrown);
      expect(r.status).toBe(500);
      expect(r.body.code).toBe('internal_error');
    }
  });
});
