import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { logger: createLogger({ level: 'info' }, stream), lines };
}

describe('logger redaction', () => {
  it('masks secrets at the top level, in headers and in nested bodies', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        password: 'hunter2-password',
        req: { headers: { authorization: 'Bearer eyJsecret', cookie: 'sid=abc' } },
        body: { sim: { ki: '465B5CE8B199B49FAA5F0A2EE238A6BC', opc: 'CD63CB71954A9F4E48A5994E37A02BAF' } },
        username: 'alice',
      },
      'login attempt',
    );
    const out = lines.join('');
    for (const secret of [
      'hunter2-password',
      'eyJsecret',
      'sid=abc',
      '465B5CE8B199B49FAA5F0A2EE238A6BC',
      'CD63CB71954A9F4E48A5994E37A02BAF',
    ]) {
      expect(out).not.toContain(secret);
    }
    const record = JSON.parse(out) as Record<string, unknown>;
    expect(record.username).toBe('alice');
    expect(record.password).toBe('[redacted]');
    expect((record.req as { headers: Record<string, string> }).headers.authorization).toBe('[redacted]');
  });
});

describe('driver messages that quote the value', () => {
  it('cuts a PostgreSQL message at the quoted value and keeps code and routine', () => {
    const { logger, lines } = capture();
    // The shape node-postgres gives (message, code, routine as PostgreSQL sends them).
    const err = Object.assign(new Error('invalid input syntax for type uuid: "secret-token-value"'), {
      code: '22P02',
      routine: 'string_to_uuid',
    });
    logger.error({ err }, 'query failed');
    const out = lines.join('');
    expect(out).not.toContain('secret-token-value');
    const record = JSON.parse(out) as { err: { message: string; code: string; routine: string } };
    expect(record.err.message).toBe('invalid input syntax for type uuid: [value not logged]');
    expect(record.err.code).toBe('22P02');
    expect(record.err.routine).toBe('string_to_uuid');
  });

  it('redacts a directory bind password', () => {
    const { logger, lines } = capture();
    logger.info({ ldap: { bindPassword: 'bind-secret-1' } }, 'directory');
    expect(lines.join('')).not.toContain('bind-secret-1');
  });
});
