import { describe, expect, it } from 'vitest';
import type { IdentityConfig } from '../identity.config.js';
import type { AuthEventsRepository } from './auth-events.repository.js';
import type { NewAuthEvent } from './auth-events.schema.js';
import { AuthEventsService } from './auth-events.service.js';

/** A repository that refuses, like PostgreSQL (SQLSTATE 22021), any batch holding a NUL. */
function fakeRepository(opts: { down?: boolean } = {}) {
  const rows: NewAuthEvent[] = [];
  let inserts = 0;
  const repository = {
    insert: async (batch: readonly NewAuthEvent[]) => {
      await Promise.resolve();
      inserts++;
      if (opts.down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      if (batch.some((r) => JSON.stringify(r).includes('\\u0000') || r.username === 'poison'))
        throw new Error('query failed', {
          cause: Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
            code: '22021',
          }),
        });
      rows.push(...batch);
    },
  };
  return { rows, inserts: () => inserts, repository: repository as unknown as AuthEventsRepository };
}

const logger = { error: () => undefined, info: () => undefined, warn: () => undefined };
const service = (repository: AuthEventsRepository) =>
  new AuthEventsService(repository, { authEventsRetentionDays: 90 } as IdentityConfig, logger as never);
const user = { id: '00000000-0000-4000-8000-000000000001', institutionId: null };

describe('AuthEventsService.record', () => {
  it('escapes control characters in every text field, so a NUL cannot fail the batch', async () => {
    const db = fakeRepository();
    const events = service(db.repository);
    events.record({
      channel: 'radius',
      result: 'reject',
      reason: 'wrong_password',
      method: 'pap\u0000',
      username: 'ayesha\u0000\u001b[31m',
      user,
      imsi: '0010\u0000',
      client: { id: user.id, name: 'wlc\u0007' },
      source: '10.0.0.1 AA\u0000BB',
    });
    await events.flush();
    expect(db.rows).toHaveLength(1);
    expect(db.rows[0]).toMatchObject({
      method: 'pap\\x00',
      username: 'ayesha\\x00\\x1b[31m',
      imsi: '0010\\x00',
      clientName: 'wlc\\x07',
      source: '10.0.0.1 AA\\x00BB',
    });
    expect(events.stats()).toMatchObject({ written: 1, lost: 0 });
  });

  it('caps lengths', async () => {
    const db = fakeRepository();
    const events = service(db.repository);
    events.record({
      channel: 'http',
      result: 'reject',
      reason: 'wrong_password',
      user,
      username: 'a'.repeat(5000),
    });
    await events.flush();
    expect(db.rows[0]?.username).toHaveLength(253);
  });
});

describe('names that matched no account', () => {
  it('are stored masked (two characters and the length): they are often a typed password', async () => {
    const db = fakeRepository();
    const events = service(db.repository);
    const typed = 'amber-orchard-violin-7';
    events.record({
      channel: 'http',
      result: 'reject',
      reason: 'unknown_user',
      method: 'password',
      username: typed,
    });
    events.record({
      channel: 'radius',
      result: 'reject',
      reason: 'unknown_user',
      method: 'pap',
      username: typed,
    });
    events.record({
      channel: 'radius',
      result: 'reject',
      reason: 'throttled',
      method: 'pap',
      username: typed,
    });
    events.record({
      channel: 'radius',
      result: 'reject',
      reason: 'malformed_request',
      method: 'pap',
      username: typed,
    });
    await events.flush();
    expect(db.rows.map((r) => r.username)).toEqual(Array(4).fill('am… (22)'));
    expect(JSON.stringify(db.rows)).not.toContain('orchard');
  });

  it("keep a known account's name, and an EAP identity", async () => {
    const db = fakeRepository();
    const events = service(db.repository);
    events.record({
      channel: 'http',
      result: 'reject',
      reason: 'wrong_password',
      method: 'password',
      username: 'ayesha',
      user,
    });
    events.record({
      channel: 'radius',
      result: 'reject',
      reason: 'unknown_sim',
      method: 'eap-aka',
      username: '0001010123456789@wlan',
    });
    await events.flush();
    expect(db.rows.map((r) => r.username)).toEqual(['ayesha', '0001010123456789@wlan']);
  });
});

describe('AuthEventsService.flush', () => {
  it('halves a refused batch until only the bad row is lost', async () => {
    const db = fakeRepository();
    const events = service(db.repository);
    for (let i = 0; i < 499; i++)
      events.record({ channel: 'http', result: 'reject', reason: 'wrong_password', user, username: `u${i}` });
    events.record({ channel: 'http', result: 'reject', reason: 'wrong_password', user, username: 'poison' });
    await events.flush();
    expect(db.rows).toHaveLength(499);
    expect(events.stats()).toMatchObject({ written: 499, lost: 1, queued: 0 });
    expect(db.inserts()).toBeLessThanOrEqual(64);
  });

  it('does not split when the database is down: one attempt, the batch counted lost', async () => {
    const db = fakeRepository({ down: true });
    const events = service(db.repository);
    for (let i = 0; i < 10; i++)
      events.record({ channel: 'http', result: 'reject', reason: 'wrong_password', user, username: `u${i}` });
    await events.flush();
    expect(db.inserts()).toBe(1);
    expect(events.stats()).toMatchObject({ written: 0, lost: 10, writeFailures: 1 });
  });
});
