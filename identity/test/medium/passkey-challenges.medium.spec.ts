import { AppError } from '@pakawaaz/platform';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PasskeysService } from '../../src/mfa/passkeys.service.js';
import {
  createIdentityFixture,
  query,
  resetIdentityData,
  type IdentityFixture,
} from '../support/identity-fixture.js';

/*
 * `POST /api/v1/auth/login/passkey/options` is public and stores a challenge: it is rate-limited per address
 * and the table of pending challenges is bounded (expired ones and, past the cap, the oldest are dropped).
 */
const PER_ADDRESS = 5;
const CAP = 12;

let fx: IdentityFixture;
let passkeys: PasskeysService;

beforeAll(async () => {
  fx = await createIdentityFixture({
    config: { loginRatePerIp: PER_ADDRESS, pendingPasskeyChallenges: CAP },
  });
  passkeys = fx.get(PasskeysService);
});
afterAll(async () => fx?.close());
beforeEach(async () => resetIdentityData(fx.handle));

const pending = async () =>
  (
    await query<{ n: number }>(
      fx.handle,
      "select count(*)::int as n from identity.webauthn_challenges where purpose = 'authenticate'",
    )
  )[0]?.n;

describe('unauthenticated passkey options', () => {
  it('are rate-limited per address with a temporary 429', async () => {
    for (let i = 0; i < PER_ADDRESS; i++)
      expect((await passkeys.authenticationOptions({ ip: '203.0.113.5' })).challenge).toMatch(/^[\w-]{20,}$/);
    const err = await passkeys.authenticationOptions({ ip: '203.0.113.5' }).then(
      () => null,
      (e: unknown) => e as AppError,
    );
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'rate_limited', status: 429 });
    expect((await passkeys.authenticationOptions({ ip: '203.0.113.6' })).challenge).toBeTruthy();
  });

  it('keep the pending challenges bounded: expired ones and the oldest beyond the cap go', async () => {
    await query(
      fx.handle,
      "insert into identity.webauthn_challenges (challenge, purpose, expires_at) values ('old-expired', 'authenticate', now() - interval '1 minute')",
    );
    const issued: string[] = [];
    for (let i = 0; i < CAP * 3; i++)
      issued.push((await passkeys.authenticationOptions({ ip: `198.18.${i >> 8}.${i & 255}` })).challenge);
    expect(await pending()).toBe(CAP);
    const kept = await query<{ challenge: string }>(
      fx.handle,
      'select challenge from identity.webauthn_challenges order by expires_at',
    );
    expect(kept.map((k) => k.challenge).sort()).toEqual(issued.slice(-CAP).sort());
  });
});
