import { randomUUID } from 'node:crypto';
import { AppError } from '@pakawaaz/platform';
import type { RadiusPacket } from '@pakawaaz/radius';
import { totpCodeAtStep, totpStepAt } from '@pakawaaz/totp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthEventsRepository } from '../../src/auth-events/auth-events.repository.js';
import { AuthEventsService } from '../../src/auth-events/auth-events.service.js';
import { LoginService } from '../../src/auth/login.service.js';
import { InstitutionsService } from '../../src/directory/institutions.service.js';
import { TotpService } from '../../src/mfa/totp.service.js';
import { RadiusAccessService } from '../../src/radius/radius-access.service.js';
import type { AccessRequestContext } from '../../src/radius/radius-handler.js';
import { UserAdminService } from '../../src/users/user-admin.service.js';
import {
  createIdentityFixture,
  principal,
  query,
  resetIdentityData,
  type IdentityFixture,
} from '../support/identity-fixture.js';

/*
 * The sign-in event log on PostgreSQL: what HTTP and RADIUS sign-ins write (with the reason the reply
 * hides, never a secret), who may read which events, retention pruning in bounded batches, and the final
 * flush when a node stops.
 */
const PASSWORD = 'amber-orchard-violin-7';
const root = { principal: principal(['super-admin']), requestId: null };
const national = principal(['security-officer']);
const NAS = { id: randomUUID(), name: 'campus-wlc' };

let fx: IdentityFixture;
let events: AuthEventsService;
let w: { a: string; b: string; ayesha: string; sana: string; seed: string };

beforeAll(async () => {
  fx = await createIdentityFixture();
  events = fx.get(AuthEventsService);
});
afterAll(async () => fx?.close());
beforeEach(async () => {
  await resetIdentityData(fx.handle);
  const institutions = fx.get(InstitutionsService);
  const users = fx.get(UserAdminService);
  const a = (await institutions.create({ name: 'Ministry of Interior' }, root)).id;
  const b = (await institutions.create({ name: 'Ministry of Finance' }, root)).id;
  const official = async (username: string, institution: string) =>
    (
      await users.create(
        { kind: 'official', username, displayName: username, password: PASSWORD, institution },
        root,
      )
    ).id;
  const ayesha = await official('ayesha', a);
  const sana = await official('sana', b);
  const totp = fx.get(TotpService);
  const user = (await fx.users.findById(ayesha))!;
  const seed = (await totp.begin(user)).secret;
  await totp.confirm(
    user,
    totpCodeAtStep(seed, totpStepAt(new Date()) - 1),
    { type: 'official', id: ayesha },
    null,
  );
  w = { a, b, ayesha, sana, seed };
});

const pap = (username: string, password: string) =>
  fx.get(RadiusAccessService).access({
    client: NAS,
    source: { address: '10.20.0.5', port: 40000 },
    identifier: 1,
    packet: {} as RadiusPacket,
    attributes: { userName: username, password: Buffer.from(password, 'utf8'), callingStationId: 'AA-BB' },
  } satisfies AccessRequestContext);
const code = () => totpCodeAtStep(w.seed, totpStepAt(new Date()));
const httpLogin = (username: string, password: string) =>
  fx
    .get(LoginService)
    .password(username, password, 'aal1', { ip: '198.51.100.7', userAgent: 'vitest' })
    .catch((err: unknown) => {
      if (!(err instanceof AppError)) throw err;
    });

describe('what sign-ins write', () => {
  it('RADIUS PAP: accept, wrong password, replayed code, unknown user — with the NAS, never a secret', async () => {
    const good = `${PASSWORD}${code()}`;
    expect((await pap('ayesha', good)).decision).toBe('accept');
    expect((await pap('ayesha', good)).decision).toBe('reject');
    expect((await pap('ayesha', `not-the-password${code()}`)).decision).toBe('reject');
    expect((await pap('nobody', `whatever123456`)).decision).toBe('reject');
    await events.flush();
    const list = await events.list(national, { channel: 'radius', limit: 100 });
    expect(list.map((e) => [e.result, e.reason]).reverse()).toEqual([
      ['accept', 'ok'],
      ['reject', 'totp_replayed'],
      ['reject', 'wrong_password'],
      ['reject', 'unknown_user'],
    ]);
    expect(list[1]).toMatchObject({
      method: 'pap',
      username: 'ayesha',
      userId: w.ayesha,
      clientId: NAS.id,
      clientName: 'campus-wlc',
      source: '10.20.0.5 AA-BB',
      reasonText: 'wrong password',
    });
    const stored = JSON.stringify(await query(fx.handle, 'select * from identity.auth_events'));
    expect(stored).not.toContain(PASSWORD);
    expect(stored).not.toContain('not-the-password');
    expect(stored).not.toContain('nobody');
    expect(list[0]?.username).toBe('no… (6)');
    expect(stored).not.toContain(good.slice(-6));
  });

  it('HTTP sign-in steps: a wrong password and an unknown account are told apart', async () => {
    await httpLogin('sana', 'wrong-password-here');
    await httpLogin('ghost', 'wrong-password-here');
    await events.flush();
    const list = await events.list(national, { channel: 'http', result: 'reject', limit: 10 });
    expect(list.map((e) => [e.username, e.reason, e.method, e.source])).toEqual([
      ['… (5)', 'unknown_user', 'password', '198.51.100.7'],
      ['sana', 'wrong_password', 'password', '198.51.100.7'],
    ]);
  });
});

describe('hostile input', () => {
  it('a password typed into the user-name field is never stored, over HTTP or RADIUS', async () => {
    await httpLogin(PASSWORD, PASSWORD);
    await pap(PASSWORD, `${PASSWORD}${code()}`);
    await events.flush();
    const list = await events.list(national, { limit: 10 });
    expect(list.map((e) => [e.channel, e.reason, e.username])).toEqual([
      ['radius', 'unknown_user', 'am… (22)'],
      ['http', 'unknown_user', 'am… (22)'],
    ]);
    const stored = JSON.stringify(await query(fx.handle, 'select * from identity.auth_events'));
    expect(stored).not.toContain('orchard');
  });

  it('a NUL or escape in a RADIUS User-Name is stored escaped, and the rest of its batch is written', async () => {
    // Names no earlier test used, so the in-memory back-off cannot turn a reject into `throttled`.
    await pap('before-nul', `not-the-password${code()}`);
    await pap('ayesha\u0000\u001b]0;owned\u0007', 'whatever123456');
    await pap('after-nul', `wrong-again${code()}`);
    await events.flush();
    expect(events.stats()).toMatchObject({ queued: 0, lost: 0 });
    const list = await events.list(national, { channel: 'radius', limit: 10 });
    expect(list.map((e) => e.reason).sort()).toEqual(['malformed_request', 'unknown_user', 'unknown_user']);
    expect(JSON.stringify(list)).not.toMatch(/\\u0000|\\u001b/);
  });
});

describe('who reads which events', () => {
  beforeEach(async () => {
    await pap('ayesha', `wrong-one${code()}`);
    await httpLogin('sana', 'wrong-password-here');
    await pap('intruder', 'guess-guess-123456');
    events.record({
      channel: 'radius',
      result: 'reject',
      reason: 'barred_sim',
      method: 'eap-aka',
      username: '0001010123456789@wlan.example',
      imsi: '001010123456789',
      user: { id: w.ayesha, institutionId: w.a },
      client: NAS,
    });
    await events.flush();
  });

  it('national viewers see every event, IMSIs in full', async () => {
    const list = await events.list(principal(['viewer']), { limit: 100 });
    expect(list.map((e) => e.username).sort()).toEqual(
      ['0001010123456789@wlan.example', 'ayesha', 'in… (8)', 'sana'].sort(),
    );
    expect(list.find((e) => e.reason === 'barred_sim')?.imsi).toBe('001010123456789');
  });

  it("an institution's security officer sees only its officials, with IMSIs masked", async () => {
    const officerOfA = principal(['security-officer'], { institutionId: w.a });
    const list = await events.list(officerOfA, { limit: 100 });
    expect(list.map((e) => e.userId)).toEqual([w.ayesha, w.ayesha]);
    const sim = list.find((e) => e.reason === 'barred_sim');
    expect(sim?.imsi).toBe('00101*******789');
    expect(sim?.username).toBe('000101*******789@wlan.example');
    expect(JSON.stringify(list)).not.toContain('intruder');
  });

  it('filters: result, reason, user, NAS, time', async () => {
    const reasons = (f: Parameters<AuthEventsService['list']>[1]) =>
      events.list(national, f).then((l) => l.map((e) => e.reason).sort());
    expect(await reasons({ nas: 'campus-wlc', limit: 10 })).toEqual([
      'barred_sim',
      'unknown_user',
      'wrong_password',
    ]);
    expect(await reasons({ nas: NAS.id, user: 'AYESHA', limit: 10 })).toEqual(['wrong_password']);
    expect(await reasons({ user: w.ayesha, reason: 'barred_sim', limit: 10 })).toEqual(['barred_sim']);
    expect(await reasons({ result: 'accept', limit: 10 })).toEqual([]);
    expect(await reasons({ since: new Date(Date.now() + 60_000), limit: 10 })).toEqual([]);
    expect(await reasons({ imsi: '001010123456789', limit: 10 })).toEqual(['barred_sim']);
  });

  it('per-NAS counters are national', async () => {
    const counters = await events.nasCounters(national, new Date(Date.now() - 60_000));
    expect(
      counters
        .filter((c) => c.clientId === NAS.id)
        .map((c) => [c.reason, c.count])
        .sort(),
    ).toEqual([
      ['barred_sim', 1],
      ['unknown_user', 1],
      ['wrong_password', 1],
    ]);
    await expect(
      events.nasCounters(principal(['security-officer'], { institutionId: w.a }), new Date(0)),
    ).rejects.toMatchObject({ code: 'national_only' });
  });
});

describe('retention', () => {
  it('prunes events past the retention in bounded batches, and keeps the rest', async () => {
    const day = 86_400_000;
    const old = Date.now() - 91 * day;
    const rows = Array.from({ length: 12 }, (_, i) => ({
      id: randomUUID(),
      at: new Date(old + i),
      channel: 'radius' as const,
      result: 'reject' as const,
      reason: 'wrong_password',
    }));
    const repository = fx.get(AuthEventsRepository);
    await repository.insert(rows);
    events.record({ channel: 'radius', result: 'reject', reason: 'wrong_password' });
    await events.flush();
    expect(await repository.pruneBatch(new Date(Date.now() - 90 * day), 5)).toBe(5);
    expect(await events.prune()).toBe(7);
    expect(await events.prune()).toBe(0);
    expect(await query(fx.handle, 'select count(*)::int as n from identity.auth_events')).toEqual([{ n: 1 }]);
  });
});

describe('a stopping node', () => {
  it('writes what it still had queued', async () => {
    const { secretsKeyFile, signingKeyFile } = fx.config;
    const other = await createIdentityFixture({
      database: fx.testDb,
      config: { secretsKeyFile, signingKeyFile },
    });
    other
      .get(AuthEventsService)
      .record({ channel: 'radius', result: 'drop', reason: 'unknown_nas', source: '192.0.2.1' });
    await other.close();
    const rows = await query(fx.handle, 'select reason, source, count from identity.auth_events');
    expect(rows).toEqual([{ reason: 'unknown_nas', source: '192.0.2.0/24', count: 1 }]);
  });
});
