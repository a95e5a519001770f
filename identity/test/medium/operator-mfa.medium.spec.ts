import { randomUUID } from 'node:crypto';
import type { Principal } from '@pakawaaz/platform';
import { NATIONAL_SCOPE } from '@pakawaaz/platform';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LoginService, type LoginStep } from '../../src/auth/login.service.js';
import { MfaRepository } from '../../src/mfa/mfa.repository.js';
import { SessionsService } from '../../src/sessions/sessions.service.js';
import {
  createIdentityFixture,
  resetIdentityData,
  type IdentityFixture,
} from '../support/identity-fixture.js';

/**
 * PAKAWAAZ_REQUIRE_OPERATOR_MFA: roles need a second factor *used* in the sign-in (having one is not
 * enough), and an API token lends no roles while its owner has no second factor.
 */
let fx: IdentityFixture;
const PASSWORD = 'tr0ub4dor&3-but-longer';
const meta = { ip: '192.0.2.20', userAgent: 'vitest' };
let rootId: string;

const authenticated = (s: LoginStep) => {
  if (s.status !== 'authenticated') throw new Error(`expected authenticated, got ${s.status}`);
  return s;
};
const addPasskey = (userId: string, createdAt = new Date(Date.now() - 60_000)) =>
  fx.get(MfaRepository).insertPasskey({
    id: randomUUID(),
    userId,
    name: 'laptop',
    publicKey: Buffer.from('not-used-by-this-test'),
    transports: ['internal'],
    deviceType: 'singleDevice',
    backedUp: false,
    createdAt,
  });

beforeAll(async () => {
  fx = await createIdentityFixture({ config: { requireOperatorMfa: true } });
});
afterAll(async () => {
  await fx?.close();
});
beforeEach(async () => {
  await resetIdentityData(fx.handle);
  rootId = (await fx.addUser({ username: 'root', roles: ['super-admin'] }, PASSWORD)).id;
});

describe('operator MFA policy: sessions', () => {
  it('withholds every role from a password-only sign-in of an operator who has a passkey, also on refresh', async () => {
    await addPasskey(rootId);
    const r = authenticated(await fx.get(LoginService).password('root', PASSWORD, 'aal1', meta));
    expect(r.amr).toEqual(['pwd']);
    expect(r.withheldRoles).toEqual(['super-admin']);
    expect((await fx.tokens.verify(r.accessToken))?.roles).toEqual([]);
    const again = await fx.get(SessionsService).refresh(r.refreshToken, null);
    expect(again.withheldRoles).toEqual(['super-admin']);
    expect((await fx.tokens.verify(again.accessToken))?.roles).toEqual([]);
  });

  it('gives the roles back on refresh when the second factor was enrolled during this session', async () => {
    const r = authenticated(await fx.get(LoginService).password('root', PASSWORD, 'aal1', meta));
    expect(r.withheldRoles).toEqual(['super-admin']);
    await addPasskey(rootId, new Date());
    const again = await fx.get(SessionsService).refresh(r.refreshToken, null);
    expect(again.withheldRoles).toEqual([]);
    expect((await fx.tokens.verify(again.accessToken))?.roles).toEqual(['super-admin']);
  });
});

describe('operator MFA policy: API tokens', () => {
  it('refuses the token of an owner without a second factor, and accepts it once the owner enrolled one', async () => {
    const owner: Principal = {
      actor: { type: 'operator', id: rootId },
      name: 'root',
      roles: ['super-admin'],
      institutionId: null,
      scope: NATIONAL_SCOPE,
      amr: ['pwd', 'otp', 'mfa'],
      acr: 'aal2',
      tokenId: 'jti-root',
    };
    const created = await fx.tokens.createApiToken({ name: 'ci', roles: ['viewer'] }, owner, null);
    expect(await fx.tokens.verify(created.token)).toBeNull();
    await addPasskey(rootId);
    expect((await fx.tokens.verify(created.token))?.roles).toEqual(['viewer']);
  });
});
