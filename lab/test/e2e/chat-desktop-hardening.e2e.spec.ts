import { request as httpRequest } from 'node:http';
import { webcrypto } from 'node:crypto';
import { totpCodeAtStep, totpStepAt } from '@pakawaaz/totp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDesktopKey,
  desktopCsr,
  dpopBoundToken,
  dpopFetch,
  dpopProof,
  dpopRefresh,
  type DesktopIdentity,
} from '../../src/chat/desktop-device.js';
import { certificateDerFromPem } from '../../src/chat/device-key.js';
import type { ServerProcess } from '../../src/server-process/server-process.js';
import { OFFICIAL_PASSWORD as PASSWORD, startChatLab, type ChatLab } from '../support/chat-server.js';

/*
 * The officials' web client's three hardenings, end to end on the built server and PostgreSQL, with the
 * deployment defaults a real institution gets (no demo data): enrolling a desktop needs a recent sign-in with a
 * second factor (here at most 30 s old); a session bound to a desktop's DPoP key refreshes only with a proof of
 * that key, and only into bound tokens (RFC 9449 §5); and a proof naming another server in `htu` is refused
 * whatever Host header the request carries (RFC 9449 §4.3: the origins are the server's own, not the client's
 * claim).
 */

const MAX_AUTH_AGE_S = 30;
type Tokens = { accessToken: string; refreshToken: string; tokenType: string; acr: string };
type Reply = { status: number; body: Record<string, unknown> };

let lab: ChatLab;
let server: ServerProcess;

async function call(path: string, init: { token?: string; body?: unknown; headers?: object } = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> } satisfies Reply;
}

const code = (secret: string, stepsBack = 0) => totpCodeAtStep(secret, totpStepAt(new Date()) - stepsBack);

/** Password, then the TOTP code when the account has one (of a step `stepsBack` from now): an aal2 sign-in. */
async function signIn(username: string, totpSecret?: string, stepsBack = 0): Promise<Tokens> {
  let step = (await call('/api/v1/auth/login', { body: { username, password: PASSWORD } })).body;
  if (step.status === 'mfa_required' && totpSecret) {
    const totp = { ticket: step.ticket, code: code(totpSecret, stepsBack) };
    step = (await call('/api/v1/auth/login/totp', { body: totp })).body;
  }
  if (step.status !== 'authenticated') throw new Error(`${username}: ${String(step.status)}`);
  return step as unknown as Tokens;
}

async function enrol(token: string): Promise<Reply & { identity?: DesktopIdentity }> {
  const keys = await createDesktopKey();
  const csr = Buffer.from(await desktopCsr(keys)).toString('base64');
  const reply = await call('/api/v1/enrolment/desktop', { token, body: { csr } });
  if (reply.status !== 201) return reply;
  const identity = { keys, certificateDer: certificateDerFromPem(reply.body.certificate as string) };
  return { ...reply, identity };
}

const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

beforeAll(async () => {
  lab = await startChatLab('chat_desktop_hardening', {
    PAKAWAAZ_DESKTOP_ENROL_ACR: 'aal2',
    PAKAWAAZ_DESKTOP_ENROL_MAX_AUTH_AGE_SECONDS: String(MAX_AUTH_AGE_S),
  });
  server = lab.server;
  const id = await lab.institution('Ministry of Finance');
  for (const username of ['farah.aziz', 'kamran.ali']) await lab.official(username, username, id);
}, 240_000);

afterAll(async () => lab?.stop());

describe('desktop devices, hardened: fresh MFA to enrol, DPoP-bound refresh, htu against our own origins', () => {
  let secret = '';
  let mfa: Tokens;
  /** A second multi-factor session, left unbound, and when it signed in. */
  let other: Tokens;
  let otherAt = 0;
  /** Another desktop of the same official. */
  let secondDesktop: DesktopIdentity;
  /** The first desktop's device id. */
  let deviceId = '';
  let identity: DesktopIdentity;
  /** The sign-in's own (unbound) token of the session bound below. */
  let signInToken = '';

  it('enrolling a desktop needs a sign-in with a second factor; a password-only sign-in is told to sign in again', async () => {
    const kamran = await signIn('kamran.ali');
    expect(kamran.acr).toBe('aal1');
    expect(await enrol(kamran.accessToken)).toMatchObject({
      status: 401,
      body: { code: 'fresh_sign_in_required', details: { acr: 'aal2', maxAuthAgeSeconds: MAX_AUTH_AGE_S } },
    });

    const first = await signIn('farah.aziz');
    const begun = await call('/api/v1/account/totp', { token: first.accessToken, body: {} });
    expect(begun.status).toBe(201);
    secret = begun.body.secret as string;
    const confirmed = await call('/api/v1/account/totp/confirm', {
      token: first.accessToken,
      body: { code: code(secret, 1) },
    });
    expect(confirmed.status).toBe(200);
    expect((await enrol(first.accessToken)).body).toMatchObject({ code: 'fresh_sign_in_required' });

    mfa = await signIn('farah.aziz', secret);
    expect(mfa.acr).toBe('aal2');
    const enrolled = await enrol(mfa.accessToken);
    expect(enrolled.status).toBe(201);
    identity = enrolled.identity!;
    deviceId = enrolled.body.deviceId as string;
    // The next time step's code (each is accepted once; the window takes one step ahead).
    otherAt = Date.now();
    other = await signIn('farah.aziz', secret, -1);
    expect(other.acr).toBe('aal2');
    const second = await enrol(other.accessToken);
    expect(second.status).toBe(201);
    secondDesktop = second.identity!;
  });

  it('a bound session’s refresh token is refused without a proof of its key, and never yields an unbound token', async () => {
    signInToken = mfa.accessToken;
    const bound = await dpopBoundToken(identity, server.url, mfa.accessToken);
    const jkt = (claims(bound.accessToken).cnf as { jkt: string }).jkt;
    // The session is bound to that key now: its token is not re-issued bound to another of the official's.
    await expect(dpopBoundToken(secondDesktop, server.url, mfa.accessToken)).rejects.toMatchObject({
      code: 'dpop_binding_failed',
    });
    // The sign-in's unbound token is no bearer token any more either (it still logs out).
    expect(await call('/api/v1/auth/me', { token: mfa.accessToken })).toMatchObject({
      status: 401,
      body: { code: 'dpop_binding_failed' },
    });
    // The attack: the refresh token copied out of the browser, replayed without the device key.
    expect(await call('/api/v1/auth/refresh', { body: { refreshToken: mfa.refreshToken } })).toMatchObject({
      status: 401,
      body: { code: 'dpop_proof_invalid' },
    });
    // …or with a proof of the thief's own key.
    const thiefKeys = await createDesktopKey();
    const thief: DesktopIdentity = { keys: thiefKeys, certificateDer: new Uint8Array() };
    const url = `${server.url}/api/v1/auth/refresh`;
    const thiefProof = (await dpopProof(thief, { method: 'POST', url })).split('.');
    // No certificate: the thief has none for this key (the header without x5c, re-signed below).
    const header = JSON.parse(Buffer.from(thiefProof[0]!, 'base64url').toString('utf8')) as object;
    const unsigned = `${Buffer.from(JSON.stringify({ ...header, x5c: undefined })).toString('base64url')}.${thiefProof[1]}`;
    const sig = await webcrypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      thiefKeys.privateKey,
      Buffer.from(unsigned),
    );
    const foreign = `${unsigned}.${Buffer.from(sig).toString('base64url')}`;
    expect(
      await call('/api/v1/auth/refresh', {
        body: { refreshToken: mfa.refreshToken },
        headers: { dpop: foreign },
      }),
    ).toMatchObject({ status: 401, body: { code: 'dpop_binding_failed' } });

    // The refused attempts spent nothing: the browser refreshes with its key, into a token bound to it.
    const next = await dpopRefresh(identity, server.url, mfa.refreshToken);
    expect(claims(next.accessToken)).toMatchObject({ cnf: { jkt }, sid: claims(mfa.accessToken).sid });
    const who = await dpopFetch(
      identity,
      () => next.accessToken,
    )(new Request(`${server.url}/api/v1/device/whoami`));
    expect(who.status).toBe(200);
    // No unbound token out of the bound session: the refreshed token is no bearer token.
    expect(await call('/api/v1/auth/me', { token: next.accessToken })).toMatchObject({
      status: 401,
      body: { code: 'dpop_binding_failed' },
    });
    // An unbound session refreshes as before (a bearer token, no proof needed).
    const kamran = await signIn('kamran.ali');
    const plain = await call('/api/v1/auth/refresh', { body: { refreshToken: kamran.refreshToken } });
    expect([plain.status, plain.body.tokenType]).toEqual([200, 'Bearer']);
    mfa = { ...mfa, accessToken: next.accessToken, refreshToken: next.refreshToken };
  });

  it('a proof naming another server is refused even when the request claims that server as its Host', async () => {
    const target = new URL('/api/v1/device/whoami', server.url);
    const evil = new URL(target.href);
    evil.hostname = 'evil.example';
    const proof = await dpopProof(identity, { method: 'GET', url: evil.href, accessToken: mfa.accessToken });
    const reply = await new Promise<Reply>((resolve, reject) => {
      const req = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          headers: { host: evil.host, authorization: `DPoP ${mfa.accessToken}`, dpop: proof },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString('utf8')));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Reply['body'] }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(reply).toMatchObject({ status: 401, body: { code: 'dpop_proof_invalid' } });
    expect(String(reply.body.message)).toContain('another server');
  });

  it('a sign-in older than the window enrols nothing, however recently its token was refreshed', async () => {
    const due = otherAt + (MAX_AUTH_AGE_S + 2) * 1000 - Date.now();
    await new Promise((r) => setTimeout(r, Math.max(0, due)));
    const refreshed = await call('/api/v1/auth/refresh', { body: { refreshToken: other.refreshToken } });
    expect(refreshed.status).toBe(200);
    const token = refreshed.body.accessToken as string;
    // auth_time is the sign-in's, not the refresh's.
    expect(claims(token).auth_time).toBe(claims(other.accessToken).auth_time);
    expect(await enrol(token)).toMatchObject({
      status: 401,
      body: { code: 'fresh_sign_in_required', message: expect.stringContaining('Sign in again') as unknown },
    });
  }, 90_000);

  it('retiring the desktop ends its bound session’s renewals: the refresh needs a desktop still enrolled', async () => {
    // The session bound to the first desktop renews while it is enrolled…
    const next = await dpopRefresh(identity, server.url, mfa.refreshToken);
    const retired = await lab.admin.POST('/api/v1/devices/{id}/retire', {
      params: { path: { id: deviceId } },
      body: { reason: 'left the ministry' },
    });
    expect(retired.response.status).toBe(200);
    // …and not once device management retired it (its certificate revoked).
    await expect(dpopRefresh(identity, server.url, next.refreshToken)).rejects.toMatchObject({
      code: 'device_certificate_refused',
    });
    // The session is still live: it logs out with its bound token and a proof of the key (RFC 9449 §7.1) —
    // the sign-in's token, which expires long before, is not needed. No device check: a retired desktop may.
    const url = `${server.url}/api/v1/auth/logout`;
    const logout = async (authorization: string, by?: DesktopIdentity) => {
      const headers: Record<string, string> = { authorization };
      if (by) headers.dpop = await dpopProof(by, { method: 'POST', url, accessToken: next.accessToken });
      const res = await fetch(url, { method: 'POST', headers });
      return {
        status: res.status,
        code: res.status === 204 ? '' : ((await res.json()) as Reply['body']).code,
      };
    };
    // Without a proof, or as a bearer token, or with a proof of another key, the bound token is refused.
    expect(await logout(`Bearer ${next.accessToken}`)).toEqual({ status: 401, code: 'dpop_binding_failed' });
    expect(await logout(`DPoP ${next.accessToken}`)).toEqual({ status: 401, code: 'dpop_proof_invalid' });
    expect(await logout(`DPoP ${next.accessToken}`, secondDesktop)).toEqual({
      status: 401,
      code: 'dpop_binding_failed',
    });
    expect(await logout(`DPoP ${next.accessToken}`, identity)).toEqual({ status: 204, code: '' });
    // The session has ended: its sign-in's token (which could log out until then) and its bound token are dead.
    expect(await logout(`Bearer ${signInToken}`)).toEqual({ status: 401, code: 'unauthenticated' });
    expect(await logout(`DPoP ${next.accessToken}`, identity)).toEqual({
      status: 401,
      code: 'unauthenticated',
    });
  });
});
