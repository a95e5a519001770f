import type { MtlsFetch } from '@pakawaaz/handset-simulator';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, ChatHttpError, fetchQueue, mayRetry, retry } from './chat-http.js';

/** An HTTP endpoint that answers with `replies` in turn and keeps each request's body and arrival time. */
function endpoint(replies: Array<{ status: number; retryAfter?: string; body: unknown }>) {
  const seen: Array<{ at: number; body: unknown }> = [];
  const http = Object.assign(
    async (req: Request) => {
      seen.push({ at: Date.now(), body: JSON.parse(await req.text()) as unknown });
      const r = replies[Math.min(seen.length - 1, replies.length - 1)]!;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (r.retryAfter) headers['retry-after'] = r.retryAfter;
      return new Response(JSON.stringify(r.body), { status: r.status, headers });
    },
    { close: () => undefined },
  ) as MtlsFetch;
  return { http, seen };
}

describe('retry (a commit or message POST whose outcome is unknown)', () => {
  afterEach(() => vi.useRealTimers());

  it('retries 429 and 503 with the same client id, each after the Retry-After the server gave', async () => {
    vi.useFakeTimers();
    const { http, seen } = endpoint([
      { status: 429, retryAfter: '2', body: { code: 'chat_rate_limited' } },
      { status: 503, retryAfter: '3', body: { code: 'mls_busy' } },
      { status: 200, body: { groupId: 'g', epoch: '2' } },
    ]);
    const payload = { clientId: 'c-1', commit: 'AAAA' };
    const answer = retry(() => call(http, 'https://chat.test', 'POST', '/commits', payload));
    await vi.advanceTimersByTimeAsync(1999);
    expect(seen).toHaveLength(1); // not the 200 ms back-off: the server asked for 2 s
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(3000);
    await expect(answer).resolves.toEqual({ groupId: 'g', epoch: '2' });
    expect(seen.map((s) => s.body)).toEqual([payload, payload, payload]);
    expect(seen[1]!.at - seen[0]!.at).toBe(2000);
    expect(seen[2]!.at - seen[1]!.at).toBe(3000);
  });

  it('throws a Retry-After longer than it waits on its own (a bot over its minute) at once, for the app', async () => {
    const { http, seen } = endpoint([{ status: 429, retryAfter: '60', body: { code: 'bot_rate_limited' } }]);
    const answer = retry(() => call(http, 'https://chat.test', 'POST', '/messages', { clientId: 'c-2' }));
    await expect(answer).rejects.toMatchObject({ status: 429, retryAfterSeconds: 30 });
    expect(seen).toHaveLength(1);
  });

  it('gives up at once on a refusal (4xx other than 429), and says which failures may be retried', async () => {
    const { http, seen } = endpoint([{ status: 422, body: { code: 'mls_commit_mismatch' } }]);
    const err = await retry(() =>
      call(http, 'https://chat.test', 'POST', '/commits', { clientId: 'c' }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatHttpError);
    expect(err).toMatchObject({ status: 422, body: { code: 'mls_commit_mismatch' } });
    expect(seen).toHaveLength(1);
    expect(mayRetry(err)).toBe(false);
    expect(mayRetry(new ChatHttpError(429, { code: 'chat_rate_limited' }, 1))).toBe(true);
    expect(mayRetry(new ChatHttpError(503, { code: 'mls_busy' }))).toBe(true);
    expect(mayRetry(new TypeError('fetch failed'))).toBe(true);
  });

  it('reads Retry-After in seconds only, and at most 30', async () => {
    const { http } = endpoint([{ status: 429, retryAfter: '86400', body: { code: 'chat_rate_limited' } }]);
    const long = await call(http, 'https://chat.test', 'POST', '/x', {}).catch((e: unknown) => e);
    expect(long).toMatchObject({ retryAfterSeconds: 30 });
    const { http: dated } = endpoint([
      { status: 503, retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT', body: { code: 'mls_busy' } },
    ]);
    const odd = await call(dated, 'https://chat.test', 'POST', '/x', {}).catch((e: unknown) => e);
    expect((odd as ChatHttpError).retryAfterSeconds).toBeUndefined();
  });
});

describe('fetchQueue (GET inbox, page by page)', () => {
  const envelope = (seq: number) => ({
    seq,
    groupId: 'g',
    senderDevice: null,
    kind: 'application',
    body: 'AA',
  });
  /** A queue of `n` envelopes served `per` a page, with `more` as the server says it (or without it). */
  function queue(n: number, per: number, withMore = true) {
    const asked: string[] = [];
    const get = (path: string) => {
      asked.push(path);
      const after = Number(new URL(path, 'http://x').searchParams.get('after'));
      const envelopes = Array.from({ length: Math.max(0, Math.min(per, n - after)) }, (_, k) =>
        envelope(after + k + 1),
      );
      const more = after + envelopes.length < n;
      return Promise.resolve(withMore ? { envelopes, more } : { envelopes });
    };
    return { get, asked };
  }

  it('reads on while the server says more: a page cut by bytes is short of the count asked', async () => {
    const q = queue(5, 2);
    expect((await fetchQueue(q.get, 0)).map((i) => i.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(q.asked).toHaveLength(3);
  });

  it('stops when the server says no more, even on a full page; without `more`, at a short page', async () => {
    const full = queue(200, 200);
    expect(await fetchQueue(full.get, 0)).toHaveLength(200);
    expect(full.asked).toHaveLength(1);
    const old = queue(250, 200, false);
    expect(await fetchQueue(old.get, 0)).toHaveLength(250);
    expect(old.asked).toHaveLength(2);
  });
});
