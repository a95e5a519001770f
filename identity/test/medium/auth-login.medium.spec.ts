import { randomUUID } from 'node:crypto';
import { AppError } from '@pakawaaz/platform';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/passwords/password-hasher.js';
import {
  createIdentityFixture,
  query,
  resetIdentityData,
  type IdentityFixture,
} from '../support/identity-fixture.js';

let fx: IdentityFixture;

const PASSWORD = 'tr0ub4dor&3-but-longer';
const INSTITUTION = randomUUID();
let aliceId: string;

beforeAll(async () => {
  fx = await createIdentityFixture();
});

afterAll(async () => {
  await fx?.close();
});

beforeEach(async () => {
  await resetIdentityData(fx.handle);
  fx.logLines.length = 0;
  const hash = await hashPassword(PASSWORD);
  aliceId = randomUUID();
  await fx.operators.insert({
    id: aliceId,
    username: 'alice',
    displayName: 'Alice Operator',
    passwordHash: hash,
    // 'god' is not a role: it must not end up in a token.
    roles: ['network-admin', 'viewer', 'god'],
    institutionId: INSTITUTION,
  });
  await fx.operators.insert({
    id: randomUUID(),
    username: 'mallory',
    displayName: 'Disabled',
    passwordHash: hash,
    roles: ['super-admin'],
    status: 'disabled',
  });
});

async function loginFailure(username: string, password: string): Promise<AppError> {
  try {
    await fx.auth.login(username, password, 'req-fail');
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error(`expected ${username} to be refused`);
}

describe('AuthService.login', () => {
  it('issues an access token that TokenService.verify accepts, with amr pwd, acr aal1 and the known roles', async () => {
    const result = await fx.auth.login('alice', PASSWORD, 'req-1');

    expect(result).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 600,
      operator: {
        id: aliceId,
        username: 'alice',
        displayName: 'Alice Operator',
        roles: ['network-admin', 'viewer'],
        institutionId: INSTITUTION,
        amr: ['pwd'],
        acr: 'aal1',
      },
    });
    const principal = await fx.tokens.verify(result.accessToken);
    expect(principal).toMatchObject({
      actor: { type: 'operator', id: aliceId },
      name: 'alice',
      roles: ['network-admin', 'viewer'],
      institutionId: INSTITUTION,
      amr: ['pwd'],
      acr: 'aal1',
    });
    const claims = decodeJwt(result.accessToken);
    expect(principal?.tokenId).toBe(claims.jti);
    expect(claims.iss).toBe('pakawaaz-test');
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(600);
    expect(decodeProtectedHeader(result.accessToken)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
  });

  it('gives every sign-in its own token id', async () => {
    const a = await fx.auth.login('alice', PASSWORD, 'req-a');
    const b = await fx.auth.login('alice', PASSWORD, 'req-b');
    expect(decodeJwt(a.accessToken).jti).not.toBe(decodeJwt(b.accessToken).jti);
  });

  it('refuses a wrong password, an unknown user and a disabled operator identically', async () => {
    const wrong = await loginFailure('alice', 'not-the-password');
    const unknown = await loginFailure('nobody', PASSWORD);
    const disabled = await loginFailure('mallory', PASSWORD);
    for (const err of [wrong, unknown, disabled]) {
      expect(err.code).toBe('invalid_credentials');
      expect(err.status).toBe(401);
      expect(err.message).toBe(wrong.message);
      expect(err.details).toBeUndefined();
    }
  });

  it('does not accept a password that only differs in case or trailing space', async () => {
    expect((await loginFailure('alice', PASSWORD.toUpperCase())).code).toBe('invalid_credentials');
    expect((await loginFailure('alice', `${PASSWORD} `)).code).toBe('invalid_credentials');
    expect((await loginFailure('ALICE', PASSWORD)).code).toBe('invalid_credentials');
  });

  it('never logs the attempted password', async () => {
    await loginFailure('alice', 'hunter2-attempted-secret');
    const log = fx.logLines.join('');
    expect(log).toContain('operator sign-in failed');
    expect(log).not.toContain('hunter2-attempted-secret');
  });

  it('audits a successful sign-in with the operator as actor and the request id, and records last login', async () => {
    const before = Date.now();
    await fx.auth.login('alice', PASSWORD, 'req-audit');
    const rows = await query<{
      action: string;
      actor_type: string;
      actor_id: string;
      target: string;
      request_id: string;
      details: unknown;
    }>(
      fx.handle,
      'select action, actor_type, actor_id, target, request_id, details from platform.audit_log order by seq',
    );
    expect(rows).toEqual([
      {
        action: 'identity.operator.signed-in',
        actor_type: 'operator',
        actor_id: aliceId,
        target: 'operator:alice',
        request_id: 'req-audit',
        details: { amr: ['pwd'] },
      },
    ]);
    expect(await fx.audit.verify()).toMatchObject({ ok: true, entries: 1 });
    const lastLogin = (await fx.operators.findById(aliceId))?.lastLoginAt;
    expect(lastLogin?.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it('audits nothing and touches nothing on a failed sign-in', async () => {
    await loginFailure('alice', 'wrong');
    await loginFailure('mallory', PASSWORD);
    expect(
      await query(
        fx.handle,
        "select seq from platform.audit_log where action = 'identity.operator.signed-in'",
      ),
    ).toEqual([]);
    expect((await fx.operators.findById(aliceId))?.lastLoginAt).toBeNull();
  });
});
