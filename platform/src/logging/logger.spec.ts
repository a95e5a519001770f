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
