import { createHash, randomBytes, webcrypto } from 'node:crypto';
import {
  AppError,
  DEVICE_AUTHENTICATOR,
  DPOP_SETTINGS,
  type DeviceAuthenticator,
  type DpopSettings,
  type Principal,
} from '@pakawaaz/platform';
import { createTestCa, issueTestDevice, type TestCa, type TestDevice } from '@pakawaaz/test-support';
import { eq } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionBound } from '../../src/sessions/sessions.events.js';
import { SessionsRepository } from '../../src/sessions/sessions.repository.js';
import { sessions as sessionsTable } from '../../src/sessions/sessions.schema.js';
import { SessionsService, type SessionTokens } from '../../src/sessions/sessions.service.js';
import { DpopTokenService } from '../../src/tokens/dpop-token.service.js';
import type { UserRow } from '../../src/users/users.repository.js';
import { createIdentityFixture, type IdentityFixture } from '../support/identity-fixture.js';

/*
 * DPoP-bound refresh (RFC 9449 §5) on PostgreSQL: the session's refresh token is spent only with a proof of
 * the key it is bound to, by a desktop device management still accepts, and a bind racing a refresh never
 * leaves a bound session with an unbound token. DEVICE_AUTHENTICATOR is device management's port: here a table
 * over certificates of a test CA (the lab e2e runs the real one).
 */
const ORIGIN = 'https://pakawaaz.test';
const b64u = (b: Uint8Array | Buffer) => Buffer.from(b).toString('base64url');
const thumb = (d: TestDevice) => createHash('sha256').update(new Uint8Array(d.cert.rawData)).digest('hex');

let fx: IdentityFixture;
let ca: TestCa;
let desktop: TestDevice;
let other: TestDevice;
let official: UserRow;
const enrolled = new Map<string, string>();
const retired = new Set<string>();

const devices: DeviceAuthenticator = {
  authenticate: ([leaf]) => {
    const t = leaf ? createHash('sha256').update(leaf).digest('hex') : '';
    const deviceId = enrolled.get(t);
    if (!deviceId) return Promise.resolve({ ok: false, reason: 'unknown_device' });
    if (retired.has(deviceId)) return Promise.resolve({ ok: false, reason: 'device_retired' });
    return Promise.resolve({
      ok: true,
      device: {
        deviceId,
        userId: official.id,
        institutionId: null,
        certThumbprint: t,
        compliance: 'compliant',
        kind: 'desktop',
      },
    });
  },
};

/** An RFC 9449 proof signed by the device key, its certificate in `x5c`. */
async function proof(d: TestDevice, path: string, accessToken?: string): Promise<string> {
  const jwk = await webcrypto.subtle.exportKey('jwk', d.keys.publicKey);
  const header = {
    typ: 'dpop+jwt',
    alg: 'ES256',
    jwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y },
    x5c: [Buffer.from(d.cert.rawData).toString('base64')],
  };
  const claims = {
    htm: 'POST',
    htu: ORIGIN + path,
    iat: Math.floor(Date.now() / 1000),
    jti: b64u(randomBytes(16)),
    ...(accessToken ? { ath: b64u(createHash('sha256').update(accessToken).digest()) } : {}),
  };
  const input = `${b64u(Buffer.from(JSON.stringify(header)))}.${b64u(Buffer.from(JSON.stringify(claims)))}`;
  const sig = await webcrypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    d.keys.privateKey,
    Buffer.from(input),
  );
  return `${input}.${b64u(new Uint8Array(sig))}`;
}

const refreshProof = (d: TestDevice) => proof(d, '/api/v1/auth/refresh');
const sessions = () => fx.get(SessionsService);
const signIn = () => sessions().start(official, ['pwd'], 'aal1', {});
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: unknown) => (e instanceof AppError ? e.code : String(e)),
  );
const jktOf = (t: Pick<SessionTokens, 'accessToken'>) =>
  (decodeJwt(t.accessToken).cnf as { jkt?: string } | undefined)?.jkt;

async function bind(s: SessionTokens, d: TestDevice = desktop) {
  const principal = (await fx.tokens.verify(s.accessToken)) as Principal;
  const token = s.accessToken;
  return fx
    .get(DpopTokenService)
    .bind(principal, { token, proof: await proof(d, '/api/v1/auth/token/dpop', token) });
}

beforeAll(async () => {
  fx = await createIdentityFixture({ providers: [{ provide: DEVICE_AUTHENTICATOR, useValue: devices }] });
  // As the server does once its listeners are bound (spent proofs: the platform's table).
  fx.app.get<DpopSettings>(DPOP_SETTINGS).origins = [ORIGIN];
  ca = await createTestCa();
  desktop = await issueTestDevice(ca, { serial: '0301' });
  other = await issueTestDevice(ca, { serial: '0302' });
  official = await fx.addUser({ username: 'zainab', kind: 'official', displayName: 'Zainab Malik' });
  enrolled.set(thumb(desktop), 'desktop-1');
  enrolled.set(thumb(other), 'desktop-2');
});
afterAll(async () => fx?.close());

describe('refresh of a session bound to a desktop key (RFC 9449 §5)', () => {
  it('another node’s bind reaches this node’s session cache through the bus (SessionBound), not after 5 s', async () => {
    const s = await signIn();
    const seen: string[] = [];
    const sub = await fx.bus.subscribeBroadcast('test-session-bound', SessionBound.type, (e) => {
      seen.push((e.data as { sessionId: string }).sessionId);
      return Promise.resolve();
    });
    // This node's bind announces itself.
    await bind(s);
    await expect.poll(() => seen).toContain(s.sessionId);
    await sub.unsubscribe();
    // Another node's bind: the row changes, this node's cache still holds the session unbound…
    const t = await signIn();
    expect((await fx.tokens.verify(t.accessToken))?.sessionDpopBound).toBeUndefined();
    expect(await fx.get(SessionsRepository).bindDpop(t.sessionId, 'k'.repeat(43))).toBeTruthy();
    expect((await fx.tokens.verify(t.accessToken))?.sessionDpopBound).toBeUndefined();
    // …until its SessionBound arrives: the sign-in's token is marked (logout only) well before the recheck.
    await fx.bus.publish(SessionBound.create({ sessionId: t.sessionId, userId: official.id }));
    await expect
      .poll(async () => (await fx.tokens.verify(t.accessToken))?.sessionDpopBound, { timeout: 2_000 })
      .toBe(true);
  });

  it('needs a proof of that key, yields tokens bound to it, and spends nothing when refused', async () => {
    const s = await signIn();
    expect((await fx.tokens.verify(s.accessToken))?.sessionDpopBound).toBeUndefined();
    const bound = await bind(s);
    expect(decodeJwt(bound.accessToken).cnf).toBeDefined();
    // The sign-in's token is marked at once (the guard lets it log out, nothing else); the bound one is not.
    expect((await fx.tokens.verify(s.accessToken))?.sessionDpopBound).toBe(true);
    expect(await fx.tokens.verify(bound.accessToken)).toMatchObject({ dpopJkt: jktOf(bound) });
    expect((await fx.tokens.verify(bound.accessToken))?.sessionDpopBound).toBeUndefined();
    const jkt = jktOf(bound);
    expect(await codeOf(sessions().refresh(s.refreshToken, null))).toBe('dpop_proof_invalid');
    expect(await codeOf(sessions().refresh(s.refreshToken, null, await refreshProof(other)))).toBe(
      'dpop_binding_failed',
    );
    const wrongPath = await proof(desktop, '/api/v1/auth/login');
    expect(await codeOf(sessions().refresh(s.refreshToken, null, wrongPath))).toBe('dpop_proof_invalid');
    // None of the refusals spent the refresh token: its holder, with the key, renews it.
    const next = await sessions().refresh(s.refreshToken, null, await refreshProof(desktop));
    expect(next.tokenType).toBe('DPoP');
    expect(jktOf(next)).toBe(jkt);
    const again = await sessions().refresh(next.refreshToken, null, await refreshProof(desktop));
    expect(jktOf(again)).toBe(jkt);
    // A proof is good once (jti).
    const once = await refreshProof(desktop);
    const third = await sessions().refresh(again.refreshToken, null, once);
    expect(await codeOf(sessions().refresh(third.refreshToken, null, once))).toBe('dpop_proof_invalid');
  });

  it('is refused once device management retires the desktop, until then not', async () => {
    const s = await signIn();
    await bind(s, other);
    retired.add('desktop-2');
    try {
      expect(await codeOf(sessions().refresh(s.refreshToken, null, await refreshProof(other)))).toBe(
        'device_certificate_refused',
      );
    } finally {
      retired.delete('desktop-2');
    }
    // Refused before the token was spent: re-enrolled (here: un-retired), the same token still renews.
    const next = await sessions().refresh(s.refreshToken, null, await refreshProof(other));
    expect(next.tokenType).toBe('DPoP');
  });

  it('waits for a bind holding the session row, then wants the proof: no unbound token, nothing spent', async () => {
    const s = await signIn();
    const repo = fx.get(SessionsRepository);
    let refresh: Promise<string> | undefined;
    const jkt = 'bound-meanwhile-by-another-node-0000000000';
    await repo.db.transaction(async (tx) => {
      // What a bind does: lock the row, then set its key; the refresh starts while the lock is held.
      await repo.lock(s.sessionId, tx);
      refresh = codeOf(sessions().refresh(s.refreshToken, null));
      await new Promise((r) => setTimeout(r, 300));
      expect(await Promise.race([refresh, new Promise((r) => setTimeout(() => r('waiting'), 50))])).toBe(
        'waiting',
      );
      await tx.update(sessionsTable).set({ dpopJkt: jkt }).where(eq(sessionsTable.id, s.sessionId));
    });
    expect(await refresh).toBe('dpop_proof_invalid');
    expect((await repo.find(s.sessionId))?.dpopJkt).toBe(jkt);
    const token = await repo.findRefreshToken(createHash('sha256').update(s.refreshToken).digest('hex'));
    expect(token?.usedAt).toBeNull();
  });

  it('racing a bind, yields either an unbound token before it or a refusal — bound refreshes after', async () => {
    const outcomes = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const s = await signIn();
      const [refreshed, bound] = await Promise.allSettled([
        sessions().refresh(s.refreshToken, null),
        bind(s),
      ]);
      expect(bound.status).toBe('fulfilled');
      expect((await fx.get(SessionsRepository).find(s.sessionId))?.dpopJkt).toBeTruthy();
      // Whichever won, the refresh token in hand now renews only with the key, into a bound token.
      const left = refreshed.status === 'fulfilled' ? refreshed.value.refreshToken : s.refreshToken;
      outcomes.add(refreshed.status === 'fulfilled' ? refreshed.value.tokenType : 'refused');
      if (refreshed.status === 'rejected')
        expect((refreshed.reason as AppError).code).toBe('dpop_proof_invalid');
      expect(await codeOf(sessions().refresh(left, null))).toBe('dpop_proof_invalid');
      expect(jktOf(await sessions().refresh(left, null, await refreshProof(desktop)))).toBeTruthy();
    }
    expect([...outcomes].every((o) => o === 'Bearer' || o === 'refused')).toBe(true);
  });
});
