import { derFromPem } from '../../lab/src/chat/bytes.ts';
import {
  createDesktopKey,
  desktopCsr,
  dpopBoundToken,
  dpopFetch,
  dpopRefresh,
  type DesktopIdentity,
} from '../../lab/src/chat/desktop-device.ts';
import { CallScreen } from './call-screen.ts';
import { openChatSession, type ChatSession } from './chat-session.ts';
import { Conversations } from './conversations.ts';
import { loadDevice, saveDevice, type StoredDevice } from './device-store.ts';
import { PeoplePicker } from './people.ts';
import { afterRenewalFailure, retryAfterSeconds } from './renewal.ts';

/*
 * The officials' web chat: sign in (password, then a one-time code when the account has one), enrol this
 * browser as a desktop device (a non-extractable ECDSA P-256 WebCrypto key, certified by the device CA), then
 * call the device routes with the access token re-issued bound to that key (RFC 9449 `cnf.jkt`) and DPoP
 * proofs signed by it, and chat as that device. The session is bound to the key from then on: its refresh
 * token is refreshed only with a proof of the key, into bound tokens (RFC 9449 §5). Enrolling needs a recent
 * sign-in (with a second factor where the deployment says so): when the server answers
 * fresh_sign_in_required, the page asks for the sign-in again and then enrols
 * (conversations.ts: the screens; chat-session.ts: the SDK's driver in the browser).
 */
type LoginStep =
  | { status: 'authenticated'; accessToken: string; refreshToken: string }
  | { status: 'mfa_required'; ticket: string; factors: string[] }
  | { status: string; ticket?: string };
type ApiError = { code: string; message?: string };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
/**
 * `token`: the sign-in's (bearer routes until the device is in use; once the session is bound, the server takes
 * it for logout only); `deviceToken`: the session's token bound to the device key (device routes), renewed with
 * `refreshToken` and a proof of the key.
 */
const session = { token: '', refreshToken: '', deviceToken: '', userId: '', name: '' };
let ticket = '';
/** The enrolment asked for a fresh sign-in: enrol again once it is done. */
let enrolAfterSignIn = false;
let renewal: ReturnType<typeof setTimeout> | undefined;
/** This browser's desktop device once in use: its key proves the bound token (logout included). */
let deviceIdentity: DesktopIdentity | null = null;
let view: Conversations | null = null;
let chat: ChatSession | null = null;
/** Why the page signed out, shown once it started afresh (sessionStorage: this tab only). */
const SIGNED_OUT = 'pakawaaz-signed-out';

function showError(e: unknown): void {
  const err = e as Partial<ApiError> & { message?: string };
  $('error').textContent = err.code ? `${err.message ?? ''} (${err.code})` : String(err.message ?? e);
  $('error').dataset.code = err.code ?? '';
}

async function api<T>(path: string, init: RequestInit = {}, token = session.token): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('accept', 'application/json');
  if (init.body) headers.set('content-type', 'application/json');
  if (token) headers.set('authorization', `Bearer ${token}`);
  const res = await fetch(path, { ...init, headers });
  const body = (await res.json().catch(() => ({}))) as T & ApiError;
  if (!res.ok) throw Object.assign(new Error(body.message ?? `HTTP ${res.status}`), { code: body.code });
  return body;
}

async function signIn(form: HTMLFormElement): Promise<void> {
  const data = new FormData(form);
  const step = ticket
    ? await api<LoginStep>('/api/v1/auth/login/totp', {
        method: 'POST',
        body: JSON.stringify({ ticket, code: data.get('otp') }),
      })
    : await api<LoginStep>('/api/v1/auth/login', {
        method: 'POST',
        body: JSON.stringify({ username: data.get('username'), password: data.get('password') }),
      });
  if (step.status === 'mfa_required' && 'factors' in step && step.factors.includes('totp')) {
    ticket = step.ticket;
    $('otp-row').hidden = false;
    return;
  }
  if (step.status !== 'authenticated' || !('accessToken' in step))
    throw new Error(`This sign-in needs a step the web chat does not offer (${step.status}): use the NOC.`);
  session.token = step.accessToken;
  session.refreshToken = step.refreshToken;
  ticket = '';
  $('otp-row').hidden = true;
  const me = await api<{ id: string; username: string; displayName?: string }>('/api/v1/auth/me');
  session.userId = me.id;
  session.name = me.displayName ?? me.username;
  form.hidden = true;
  $('device').hidden = false;
  $('who').textContent = `Signed in as ${session.name}`;
  const stored = await loadDevice(me.id);
  if (stored) await useDevice(stored);
  else if (enrolAfterSignIn) {
    enrolAfterSignIn = false;
    await enrol();
  }
}

/**
 * The server wants a recent (multi-factor) sign-in before it certifies a key: the stale session is logged out
 * (the new sign-in starts another), then the page asks for the sign-in and enrols.
 */
function signInAgain(e: unknown): void {
  showError(e);
  enrolAfterSignIn = true;
  void logout();
  $('sign-in').hidden = false;
  $('device').hidden = true;
}

async function enrol(): Promise<void> {
  const keys = await createDesktopKey();
  const csr = await desktopCsr(keys);
  let s = '';
  for (const b of csr) s += String.fromCharCode(b);
  const enrolled = await api<{ deviceId: string; certificate: string; caCertificates: string[] }>(
    '/api/v1/enrolment/desktop',
    { method: 'POST', body: JSON.stringify({ csr: btoa(s) }) },
  ).catch((e: unknown) => {
    if ((e as Partial<ApiError>).code === 'fresh_sign_in_required') signInAgain(e);
    throw e;
  });
  const device: StoredDevice = {
    userId: session.userId,
    deviceId: enrolled.deviceId,
    keys,
    certificatePem: enrolled.certificate,
    caPems: enrolled.caCertificates,
  };
  await saveDevice(device);
  await useDevice(device);
}

/** Proves the device to the server: `GET /api/v1/device/whoami` with the bound token and a DPoP proof. */
async function useDevice(d: StoredDevice): Promise<void> {
  const identity: DesktopIdentity = { keys: d.keys, certificateDer: derFromPem(d.certificatePem) };
  deviceIdentity = identity;
  const bound = await dpopBoundToken(identity, location.href, session.token);
  session.deviceToken = bound.accessToken;
  renewBefore(identity, bound.expiresIn);
  const http = dpopFetch(identity, () => session.deviceToken);
  const res = await http(new Request(new URL('/api/v1/device/whoami', location.href)));
  const who = (await res.json()) as { deviceId?: string } & Partial<ApiError>;
  if (!res.ok) throw Object.assign(new Error(who.message ?? 'refused'), { code: who.code });
  $('enrol').hidden = true;
  $('device-status').textContent = `This browser is desktop device ${who.deviceId ?? ''}`;
  $('device-status').dataset.deviceId = who.deviceId ?? '';
  if (view) return;
  const v = (view = new Conversations(d.userId, http, showError));
  const calls = new CallScreen(
    d.userId,
    (u) => v.nameOf(u),
    () => v.currentGroup,
    showError,
  );
  chat = await openChatSession(d, identity, () => session.deviceToken, {
    onEvent: (e) => (v.onEvent(e), calls.onChatEvent()),
    onCallSignal: calls.onSignal,
    // Shown as the first connection's failure is; the SDK keeps trying with its backoff meanwhile.
    onReconnectError: showError,
    // The server keeps two sockets a device: a third tab or window of this browser profile took this one's.
    onReplaced: () =>
      showError(
        new Error(
          'Chat is open in other tabs or windows of this browser: this one stopped. Reload it to chat here.',
        ),
      ),
  });
  v.attach(chat);
  calls.attach(chat.client);
  v.onOpen = (groupId) => calls.lookLive(groupId);
  new PeoplePicker(http, (people) => v.startChat(people), showError).attach();
}

/**
 * Renews the bound token a minute before it expires: the session's refresh token with a proof of the device
 * key (a copy of the refresh token is no use without it). A refusal ends the session here: sign in again; a
 * failure that may pass (network, 429, 5xx) is tried again while the token lasts (renewal.ts decides).
 */
function renewBefore(identity: DesktopIdentity, expiresIn: number): void {
  const expiresAt = Date.now() + expiresIn * 1000;
  const attempt = (failures: number) =>
    dpopRefresh(identity, location.href, session.refreshToken).then(
      (next) => {
        session.deviceToken = next.accessToken;
        session.refreshToken = next.refreshToken;
        renewBefore(identity, next.expiresIn);
      },
      (e: unknown) => {
        const f = e as { status?: number; code?: string; retryAfter?: string | null };
        const failure = {
          ...f,
          code: f.code || undefined,
          retryAfterSeconds: retryAfterSeconds(f.retryAfter ?? null),
        };
        const next = afterRenewalFailure(failure, failures, expiresAt - Date.now());
        if (next.action === 'sign-out') return void signOut(e);
        renewal = setTimeout(() => void attempt(failures + 1), next.afterMs);
      },
    );
  clearTimeout(renewal);
  renewal = setTimeout(() => void attempt(0), Math.max(5, expiresIn - 60) * 1000);
}

/**
 * Ends the session on the server (logout) and forgets its tokens. Once the session is bound, with the bound
 * token and a proof of the device key (the sign-in's unbound token expires long before the session); before,
 * with the sign-in's token. Best effort: the session may be revoked already — then it has ended anyway.
 */
async function logout(): Promise<void> {
  const { token, deviceToken } = session;
  Object.assign(session, { token: '', refreshToken: '', deviceToken: '' });
  const url = new URL('/api/v1/auth/logout', location.href);
  if (deviceToken && deviceIdentity)
    await dpopFetch(
      deviceIdentity,
      () => deviceToken,
    )(new Request(url, { method: 'POST' })).catch(() => undefined);
  else if (token) await api(url.pathname, { method: 'POST' }, token).catch(() => undefined);
}

/**
 * A renewal was refused (session revoked or ended, desktop retired…): stop renewing, close the chat socket,
 * log out, and start the page afresh on the sign-in form, saying why — nothing of the session stays in use.
 */
async function signOut(why: unknown): Promise<void> {
  clearTimeout(renewal);
  await chat?.client.close().catch(() => undefined);
  await logout();
  const e = why as Partial<ApiError> & { message?: string };
  const message = `Signed out: ${e.message ?? String(why)} Sign in again.`;
  sessionStorage.setItem(SIGNED_OUT, JSON.stringify({ code: e.code ?? '', message }));
  location.reload();
}

/** A form whose submit runs `action` with its fields, shows a failure, and is cleared when it succeeded. */
function onSubmit(id: string, action: (data: FormData) => Promise<void> | void): void {
  $<HTMLFormElement>(id).addEventListener('submit', (e) => {
    e.preventDefault();
    $('error').textContent = '';
    const form = e.target as HTMLFormElement;
    const button = form.querySelector('button');
    if (button) button.disabled = true;
    Promise.resolve()
      .then(() => action(new FormData(form)))
      .then(() => id !== 'search' && form.reset(), showError)
      .finally(() => button && (button.disabled = false));
  });
}

const field = (f: FormData, name: string): string => {
  const v = f.get(name);
  return typeof v === 'string' ? v : '';
};

onSubmit('send', (f) => view?.sendText(field(f, 'text')));
onSubmit('send-file', (f) => view?.sendFile(f.get('file') as File));
onSubmit('search', (f) => view?.search(field(f, 'q')));

const signedOut = sessionStorage.getItem(SIGNED_OUT);
if (signedOut) {
  sessionStorage.removeItem(SIGNED_OUT);
  showError(JSON.parse(signedOut));
}

$<HTMLFormElement>('sign-in').addEventListener('submit', (e) => {
  e.preventDefault();
  $('error').textContent = '';
  signIn(e.target as HTMLFormElement).catch(showError);
});
$('enrol').addEventListener('click', () => {
  $('error').textContent = '';
  enrol().catch(showError);
});
