import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toErrorReply } from '../../src/errors/error-reply.js';
import { createLogger } from '../../src/logging/logger.js';
import { platformDomain } from '../../src/platform.domain.js';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';

// Stand-ins for what a failed query carries: an argon2 hash, a token hash, a sealed SIM secret.
const PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$W3aDcb7dcS5ZClearlySecretHash';
const TOKEN_HASH = 'f3b1c0ffee5ec12e7a11ed70cafe0000deadbeef1234567890abcdef00112233';
const SEALED = 'pkzenv1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase([platformDomain]);
  await testDb.handle.db.execute(
    sql.raw('create table public.leaky (token_hash text unique, password_hash text, sealed text)'),
  );
});

afterAll(async () => {
  await testDb?.drop();
});

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { logger: createLogger({ level: 'info' }, stream), out: () => lines.join('') };
}

async function failedInsert(): Promise<unknown> {
  const insert = () =>
    testDb.handle.db.execute(
      sql`insert into public.leaky (token_hash, password_hash, sealed) values (${TOKEN_HASH}, ${PASSWORD_HASH}, ${SEALED})`,
    );
  await insert();
  // The second insert violates the unique constraint: the driver's error quotes the duplicate value in its
  // detail, and the ORM's error holds every parameter and repeats them in its message.
  return insert().then(
    () => expect.unreachable('the duplicate insert must fail'),
    (err: unknown) => err,
  );
}

describe('a failed query in the logs', () => {
  it('carries its parameters, which never reach a log line however the error is logged', async () => {
    const err = await failedInsert();
    // The premise: the error really holds the secrets (else this test could not fail).
    const raw = JSON.stringify({
      ...(err as object),
      message: (err as Error).message,
      cause: { ...(err as { cause: object }).cause },
    });
    expect(raw).toContain(TOKEN_HASH);
    expect(raw).toContain(PASSWORD_HASH);

    const { logger, out } = capture();
    const reply = toErrorReply(err, 'req-1', logger); // the global exception filter's path for a 500
    logger.error(err as Error); // a bare error
    logger.warn({ err, job: { step: 'import', failure: err }, list: [err] }, 'job failed'); // nested
    logger.child({ component: 'worker' }).error({ error: err }, 'worker failed');

    expect(reply.status).toBe(500);
    const text = out();
    for (const secret of [TOKEN_HASH, PASSWORD_HASH, SEALED, 'c2FsdHNhbHQ', 'deadbeef', 'AAECAwQF'])
      expect(text).not.toContain(secret);
    // What helps an operator stays: the SQL (placeholders only), the SQLSTATE and the constraint.
    const first = JSON.parse(text.split('\n')[0]!) as { err: Record<string, unknown> };
    expect(first.err.message).toMatch(/^Failed query: insert into public\.leaky .*\$1/s);
    expect(first.err.message).toContain('params: [not logged]');
    expect((first.err.cause as Record<string, unknown>).code).toBe('23505');
    expect((first.err.cause as Record<string, unknown>).constraint).toBe('leaky_token_hash_key');
    expect(first.err.stack).toMatch(/\n\s+at /);
    expect(text).not.toMatch(/"(params|parameters|detail|query)"\s*:/);
  });
});
