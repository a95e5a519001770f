import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { refusal } from '@pakawaaz/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LoginService, type LoginStep } from '../../src/auth/login.service.js';
import { AccountService } from '../../src/auth/account.service.js';
import { TotpService } from '../../src/mfa/totp.service.js';
import { totpCodeAtStep, totpStepAt } from '@pakawaaz/totp';
import { SessionsService } from '../../src/sessions/sessions.service.js';
import { UsersService } from '../../src/users/users.service.js';
import {
  createIdentityFixture,
  principal,
  query,
  resetIdentityData,
  type IdentityFixture,
} from '../support/identity-fixture.js';

let fx: IdentityFixture;
let login: LoginService;
let totp: TotpService;

const PASSWORD = 'tr0ub4dor&3-but-longer';
const INSTITUTION = randomUUID();
const meta = { ip: '192.0.2.10', userAgent: 'vitest' };
let aliceId: string;

beforeAll(async () => {
  fx = await createIdentityFixture({ config: { lockoutThreshold: 5 } });
  login = fx.get(LoginService);
  totp = fx.get(TotpService);
});

afterAll(async () => {
  await fx?.close();
});

beforeEach(async () => {
  await resetIdentityData(fx.handle);
  fx.logLines.length = 0;
  // 'god' is not a role: it must not end up in a token.
  aliceId = (
    await fx.addUser(
      {
        username: 'alice',
        displayName: 'Alice Operator',
        roles: ['viewer', 'billing', 'god'],
        institutionId: INSTITUTION,
      },
      PASSWORD,
    )
  ).id;
  await fx.addUser(
    { username: 'mallory', displayName: 'Disabled', roles: ['super-admin'], status: 'disabled' },
    PASSWORD,
  );
});

const authenticated = (s: LoginStep) => {
  if (s.status !== 'authenticated') throw new Error(`expected authenticated, got ${s.status}`);
  return s;
};
const ticketOf = (s: LoginStep) => {
  if (s.status === 'authenticated') throw new Error('expected another step');
  return s.ticket;
};

describe('password sign-in', () => {
  it('issues tokens that TokenService.verify accepts, with amr pwd, acr aal1, the known roles and a session', async () => {
    const r = authenticated(await login.password('alice', PASSWORD, 'aal1', meta));
    expect(r).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 600,
      amr: ['pwd'],
      acr: 'aal1',
      userId: aliceId,
    });
    expect(r.refreshToken).toMatch(/^pkr_[A-Za-z0-9_-]{43}$/);
    const p = await fx.tokens.verify(r.accessToken);
    expect(p).toMatchObject({
      actor: { type: 'operator', id: aliceId },
      name: 'alice',
      roles: ['viewer', 'billing'],
      institutionId: INSTITUTION,
      amr: ['pwd'],
      acr: 'aal1',
      sessionId: r.sessionId,
    });
    const claims = decodeJwt(r.accessToken);
    expect(claims.sid).toBe(r.sessionId);
    expect(p?.tokenId).toBe(claims.jti);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(600);
    expect(decodeProtectedHeader(r.accessToken)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
  });

  it('treats usernames case-insensitively but passwords exactly', async () => {
    expect(authenticated(await login.password('ALICE', PASSWORD, 'aal1', meta)).userId).toBe(aliceId);
    expect((await refusal(login.password('alice', PASSWORD.toUpperCase(), 'aal1', meta))).code).toBe(
      'invalid_credentials',
    );
    expect((await refusal(login.password('alice', `${PASSWORD} `, 'aal1', meta))).code).toBe(
      'invalid_credentials',
    );
  });

  it('refuses a wrong password, an unknown user and a disabled user identically, and never logs the password', async () => {
    const errors = [
      await refusal(login.password('alice', 'hunter2-attempted-secret', 'aal1', meta)),
      await refusal(login.password('nobody', PASSWORD, 'aal1', meta)),
      await refusal(login.password('mallory', PASSWORD, 'aal1', meta)),
    ];
    for (const err of errors) {
      expect(err.code).toBe('invalid_credentials');
      expect(err.status).toBe(401);
      expect(err.message).toBe(errors[0]?.message);
    }
    expect(fx.logLines.join('')).toContain('sign-in step failed');
    expect(fx.logLines.join('')).not.toContain('hunter2-attempted-secret');
  });

  it('audits a sign-in with the user as actor and records the last login; failures audit nothing', async () => {
    await refusal(login.password('alice', 'wrong', 'aal1', meta));
    expect(
      await query(fx.handle, "select seq from platform.audit_log where action = 'identity.user.signed-in'"),
    ).toEqual([]);
    await login.password('alice', PASSWORD, 'aal1', meta);
    const rows = await query<{ action: string; actor_id: string; target: string }>(
      fx.handle,
      "select action, actor_id, target from platform.audit_log where action = 'identity.user.signed-in'",
    );
    expect(rows).toEqual([{ action: 'identity.user.signed-in', actor_id: aliceId, target: 'user:alice' }]);
    expect((await fx.users.findById(aliceId))?.lastLoginAt).toBeInstanceOf(Date);
    expect(await fx.audit.verify()).toMatchObject({ ok: true });
  });

  it('cannot reach a level the account has no factor for', async () => {
    expect((await refusal(login.password('alice', PASSWORD, 'aal2', meta))).code).toBe(
      'factor_not_available',
    );
  });
});

describe('TOTP second factor', () => {
  const code = (secret: string, offset = 0) => totpCodeAtStep(secret, totpStepAt(new Date()) + offset);
  /** Self-service enrolment, confirmed with the previous step's code so that the current one is still fresh. */
  async function enrol(): Promise<string> {
    const user = (await fx.users.findById(aliceId))!;
    const { secret } = await totp.begin(user);
    await totp.confirm(user, code(secret, -1), { type: 'operator', id: aliceId }, null);
    return secret;
  }

  it('is required once enrolled: the password alone yields a ticket, the code then the tokens at aal2', async () => {
    const secret = await enrol();
    const first = await login.password('alice', PASSWORD, 'aal1', meta);
    expect(first).toMatchObject({
      status: 'mfa_required',
      amr: ['pwd'],
      factors: ['totp', 'recovery-code'],
    });
    const r = authenticated(await login.totpCode(ticketOf(first), code(secret), meta));
    expect(r.acr).toBe('aal2');
    expect([...r.amr].sort()).toEqual(['mfa', 'otp', 'pwd']);
  });

  it('accepts a code once only, also across two sign-ins', async () => {
    const secret = await enrol();
    const c = code(secret);
    authenticated(
      await login.totpCode(ticketOf(await login.password('alice', PASSWORD, 'aal1', meta)), c, meta),
    );
    const again = await refusal(
      login.totpCode(ticketOf(await login.password('alice', PASSWORD, 'aal1', meta)), c, meta),
    );
    expect(again.code).toBe('invalid_credentials');
  });

  it('accepts the same code once when two requests race with it', async () => {
    const secret = await enrol();
    const c = code(secret);
    const tickets = await Promise.all(
      [1, 2].map(async () => ticketOf(await login.password('alice', PASSWORD, 'aal1', meta))),
    );
    const results = await Promise.allSettled(tickets.map((t) => login.totpCode(t, c, meta)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('a recovery code stands in once; the seed never reaches the database in clear', async () => {
    const user = (await fx.users.findById(aliceId))!;
    const pending = await totp.begin(user);
    const codes = await totp.confirm(user, code(pending.secret), { type: 'operator', id: aliceId }, null);
    expect(codes).toHaveLength(10);
    const t = ticketOf(await login.password('alice', PASSWORD, 'aal1', meta));
    authenticated(await login.recoveryCode(t, codes[0]!.toUpperCase(), meta));
    const t2 = ticketOf(await login.password('alice', PASSWORD, 'aal1', meta));
    expect((await refusal(login.recoveryCode(t2, codes[0]!, meta))).code).toBe('invalid_credentials');
    const dump = JSON.stringify(await query(fx.handle, 'select * from identity.totp_factors'));
    expect(dump).not.toContain(pending.secret);
  });

  it('a ticket is not an access token, and a forged or expired one is refused', async () => {
    await enrol();
    const t = ticketOf(await login.password('alice', PASSWORD, 'aal1', meta));
    expect(await fx.tokens.verify(t)).toBeNull();
    expect((await refusal(login.totpCode(`${t.slice(0, -3)}abc`, '123456', meta))).code).toBe(
      'login_ticket_invalid',
    );
  });
});

describe('guess limit', () => {
  it('closes the password step after the limit of consecutive failures (then even the right password fails first) until an officer unlocks', async () => {
    for (let i = 0; i < 5; i++) await refusal(login.password('alice', `wrong-${i}`, 'aal1', meta));
    const closed = await refusal(login.password('alice', PASSWORD, 'aal1', meta));
    expect(closed.code).toBe('invalid_credentials');
    const row = await fx.users.findById(aliceId);
    expect(row?.passwordClosedAt).toBeInstanceOf(Date);
    expect(row?.status).toBe('active');
    expect(
      await query(
        fx.handle,
        "select target from platform.audit_log where action = 'identity.user.password-closed'",
      ),
    ).toEqual([{ target: 'user:alice' }]);
    await fx
      .get(UsersService)
      .unlock(aliceId, { principal: principal(['security-officer']), requestId: null });
    authenticated(await login.password('alice', PASSWORD, 'aal1', meta));
  });

  it('a success resets the consecutive-failure count', async () => {
    for (let i = 0; i < 4; i++) await refusal(login.password('alice', `wrong-${i}`, 'aal1', meta));
    authenticated(await login.password('alice', PASSWORD, 'aal1', meta));
    for (let i = 0; i < 4; i++) await refusal(login.password('alice', `wrong-${i}`, 'aal1', meta));
    authenticated(await login.password('alice', PASSWORD, 'aal1', meta));
  });
});

describe('sessions', () => {
  it('rotates refresh tokens; reusing a spent one revokes the session and its access tokens at once', async () => {
    const sessions = fx.get(SessionsService);
    const first = authenticated(await login.password('alice', PASSWORD, 'aal1', meta));
    const second = await sessions.refresh(first.refreshToken, null);
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(await fx.tokens.verify(second.accessToken)).not.toBeNull();
    expect((await refusal(sessions.refresh(first.refreshToken, null))).code).toBe('refresh_token_invalid');
    expect(await fx.tokens.verify(second.accessToken)).toBeNull();
    expect((await refusal(sessions.refresh(second.refreshToken, null))).code).toBe('refresh_token_invalid');
    expect(
      await query(fx.handle, `select revoked_reason from identity.sessions where id = '${first.sessionId}'`),
    ).toEqual([{ revoked_reason: 'refresh-token-reuse' }]);
  });

  it('logout and administrator revocation take effect immediately', async () => {
    const account = fx.get(AccountService);
    const sessions = fx.get(SessionsService);
    const a = authenticated(await login.password('alice', PASSWORD, 'aal1', meta));
    const p = (await fx.tokens.verify(a.accessToken))!;
    await account.logout({ principal: p, requestId: null });
    expect(await fx.tokens.verify(a.accessToken)).toBeNull();

    const b = authenticated(await login.password('alice', PASSWORD, 'aal1', meta));
    const listed = await sessions.list({ principal: principal(['security-officer']), requestId: null });
    expect(listed.map((s) => s.id)).toContain(b.sessionId);
    await sessions.revoke(b.sessionId, { principal: principal(['security-officer']), requestId: 'r1' });
    expect(await fx.tokens.verify(b.accessToken)).toBeNull();
  });

  it('disabling a user ends all their sessions and publishes identity.user.disabled', async () => {
    const seen: unknown[] = [];
    await fx.bus.subscribe('test-disabled', 'identity.user.disabled', (e) => {
      seen.push(e.data);
      return Promise.resolve();
    });
    const a = authenticated(await login.password('alice', PASSWORD, 'aal1', meta));
    await fx.get(UsersService).setStatus(aliceId, 'disabled', 'left the ministry', {
      principal: principal(['security-officer']),
      requestId: null,
    });
    expect(await fx.tokens.verify(a.accessToken)).toBeNull();
    await expect.poll(() => seen).toHaveLength(1);
    const row = await fx.users.findById(aliceId);
    expect(seen).toEqual([
      {
        userId: aliceId,
        username: 'alice',
        kind: row?.kind,
        displayName: row?.displayName,
        institutionId: INSTITUTION,
        factsAt: row?.updatedAt.toISOString(),
        reason: 'left the ministry',
      },
    ]);
    expect((await refusal(login.password('alice', PASSWORD, 'aal1', meta))).code).toBe('invalid_credentials');
  });

  it('changing your own password ends your other sessions and keeps this one', async () => {
    const account = fx.get(AccountService);
    const sessions = fx.get(SessionsService);
    const here = authenticated(await login.password('alice', PASSWORD, 'aal1', meta));
    const elsewhere = authenticated(await login.password('alice', PASSWORD, 'aal1', meta));
    const p = (await fx.tokens.verify(here.accessToken))!;
    await account.changePassword(PASSWORD, 'violet-harbour-lantern-9', { principal: p, requestId: 'r' });
    expect(await fx.tokens.verify(here.accessToken)).not.toBeNull();
    expect(await fx.tokens.verify(elsewhere.accessToken)).toBeNull();
    expect((await refusal(sessions.refresh(elsewhere.refreshToken, null))).code).toBe(
      'refresh_token_invalid',
    );
    expect((await sessions.refresh(here.refreshToken, null)).sessionId).toBe(here.sessionId);
    expect(
      await query(
        fx.handle,
        `select revoked_reason from identity.sessions where id = '${elsewhere.sessionId}'`,
      ),
    ).toEqual([{ revoked_reason: 'password-changed' }]);
  });

  it('an administrator reset forces a password change before any token', async () => {
    const users = fx.get(UsersService);
    const { temporaryPassword } = await users.resetPassword(aliceId, undefined, {
      principal: principal(['security-officer']),
      requestId: null,
    });
    const step = await login.password('alice', temporaryPassword, 'aal1', meta);
    expect(step.status).toBe('password_change_required');
    const account = fx.get(AccountService);
    expect((await refusal(account.forcedChange(ticketOf(step), 'password123', meta))).code).toBe(
      'weak_password',
    );
    const done = authenticated(await account.forcedChange(ticketOf(step), 'violet-harbour-lantern-9', meta));
    expect(done.acr).toBe('aal1');
    expect((await fx.users.findById(aliceId))?.mustChangePassword).toBe(false);
    // The password-change ticket cannot be replayed to set the password again without the current one.
    expect((await refusal(account.forcedChange(ticketOf(step), 'another-river-tandem-44', meta))).code).toBe(
      'login_ticket_invalid',
    );
  });

  it('an administrator’s reset ends sign-ins in progress (their tickets stop working)', async () => {
    const user = (await fx.users.findById(aliceId))!;
    const { secret } = await totp.begin(user);
    await totp.confirm(
      user,
      totpCodeAtStep(secret, totpStepAt(new Date()) - 1),
      { type: 'operator', id: aliceId },
      null,
    );
    const half = await login.password('alice', PASSWORD, 'aal1', meta);
    await fx
      .get(UsersService)
      .resetPassword(aliceId, undefined, { principal: principal(['security-officer']), requestId: null });
    const code = totpCodeAtStep(secret, totpStepAt(new Date()));
    expect((await refusal(login.totpCode(ticketOf(half), code, meta))).code).toBe('login_ticket_invalid');
  });
});

describe('passkey-only roles', () => {
  it('withholds super-admin and security-officer from a sign-in without a passkey when enforcement is on', async () => {
    const strict = await createIdentityFixture({ config: { requirePasskeys: true } });
    try {
      await strict.addUser(
        { username: 'root', roles: ['super-admin', 'security-officer', 'viewer'] },
        PASSWORD,
      );
      const r = authenticated(await strict.get(LoginService).password('root', PASSWORD, 'aal1', meta));
      expect(r.withheldRoles.sort()).toEqual(['security-officer', 'super-admin']);
      expect((await strict.tokens.verify(r.accessToken))?.roles).toEqual(['viewer']);
    } finally {
      await strict.close();
    }
  });
});
