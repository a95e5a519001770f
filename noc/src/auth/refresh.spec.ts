import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { freshToken, refreshSession, SESSION_ENDED } from './refresh';
// The unit project runs in node: the session then lives in memory only (no sessionStorage).
import { session, type OperatorProfile } from './session';

const PROFILE = { id: 'u1', username: 'admin', roles: ['super-admin'] } as OperatorProfile;

function authenticated(n: number) {
  return {
    status: 'authenticated',
    accessToken: `access-${n}`,
    refreshToken: `pkr_refresh-${n}`,
    expiresIn: 600,
  };
}

const sentBody = (init: RequestInit | undefined): unknown => JSON.parse(init?.body as string);

function reply(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('refreshSession', () => {
  const fetchMock = vi.fn<typeof fetch>();

  beforeEach(() => {
    vi.stubGlobal('fetch', fetchMock);
    session.signIn({ accessToken: 'access-0', refreshToken: 'pkr_refresh-0', expiresIn: 600 }, PROFILE);
  });
  afterEach(() => {
    fetchMock.mockReset();
    vi.unstubAllGlobals();
    session.signOut();
  });

  it('rotates once for concurrent callers: a refresh token works only once', async () => {
    fetchMock.mockResolvedValue(reply(200, authenticated(1)));
    const results = await Promise.all([refreshSession(), refreshSession(), refreshSession()]);
    expect(results).toEqual(['access-1', 'access-1', 'access-1']);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/v1/auth/refresh');
    expect(sentBody(init)).toEqual({ refreshToken: 'pkr_refresh-0' });
    expect(session.token()).toBe('access-1');
    expect(session.refreshToken()).toBe('pkr_refresh-1');
    expect(session.get().operator).toBe(PROFILE);

    fetchMock.mockResolvedValue(reply(200, authenticated(2)));
    expect(await refreshSession()).toBe('access-2');
    expect(sentBody(fetchMock.mock.calls[1]![1])).toEqual({ refreshToken: 'pkr_refresh-1' });
  });

  it('signs out with a notice when the server refuses the refresh token', async () => {
    fetchMock.mockResolvedValue(reply(401, { code: 'refresh_token_invalid', message: 'Sign in again' }));
    expect(await refreshSession()).toBeNull();
    expect(session.get()).toEqual({ token: null, operator: null, notice: SESSION_ENDED });
    expect(session.refreshToken()).toBeNull();
  });

  it('keeps the session when the server is unreachable or failing, for the next attempt', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    expect(await refreshSession()).toBeNull();
    fetchMock.mockResolvedValueOnce(reply(503, { code: 'unavailable', message: 'down' }));
    expect(await refreshSession()).toBeNull();
    expect(session.token()).toBe('access-0');
    expect(session.refreshToken()).toBe('pkr_refresh-0');
  });

  it('does not overwrite a sign-out that happened while the refresh was under way', async () => {
    let answer: (r: Response) => void = () => undefined;
    fetchMock.mockReturnValue(new Promise((resolve) => (answer = resolve)));
    const pending = refreshSession();
    session.signOut();
    answer(reply(200, authenticated(1)));
    expect(await pending).toBeNull();
    expect(session.token()).toBeNull();
  });

  it('renews before a call only when the access token is about to expire', async () => {
    expect(await freshToken()).toBe('access-0');
    expect(fetchMock).not.toHaveBeenCalled();

    session.setTokens({ accessToken: 'access-0', refreshToken: 'pkr_refresh-0', expiresIn: 5 });
    fetchMock.mockResolvedValue(reply(200, authenticated(1)));
    expect(await freshToken()).toBe('access-1');
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});

describe('inactivity', () => {
  it('counts the operator as idle after 30 minutes without input, 15 at AAL3', async () => {
    const { idleTooLong, noteActivity } = await import('./refresh');
    const t0 = 1_800_000_000_000;
    noteActivity(t0);
    expect(idleTooLong('aal2', t0 + 29 * 60_000)).toBe(false);
    expect(idleTooLong('aal2', t0 + 31 * 60_000)).toBe(true);
    expect(idleTooLong('aal3', t0 + 14 * 60_000)).toBe(false);
    expect(idleTooLong('aal3', t0 + 16 * 60_000)).toBe(true);
    noteActivity(t0 + 16 * 60_000);
    expect(idleTooLong('aal3', t0 + 17 * 60_000)).toBe(false);
  });
});
