import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchAndOpen, LINK_ATTEMPTS, LINK_PAUSE_MS, sealAndUpload } from './files.ts';
import { FILES, MAX_RETRY_AFTER_MS, MAX_STALLS } from './upload-chunks.ts';

const ORIGIN = 'https://pakawaaz.test';
const ID = 'f1';
const UPLOAD = `${FILES}/${ID}`;
const noPause = () => Promise.resolve();
const plain = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256);
const file = new File([plain], 'report.pdf');

type Reply = Response | 'drop';
const reply = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** The link re-ask answers these in turn (then the server's own answer); the waits between are recorded. */
function linkReplies(...replies: Reply[]) {
  const waits: number[] = [];
  return {
    link: () => replies.shift(),
    waits,
    pause: (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    },
  };
}
const lastChunkLost = (_: number, last: boolean) => (last ? ('lost-reply' as const) : ('ok' as const));

/**
 * The server's side of a file's upload, as the device routes answer: POST creates it (or `create` refuses),
 * PATCH stores the next chunk (or, as `patch` decides, stores nothing and answers upload_interrupted, or stores
 * it and the reply is lost: the connection drops), a PATCH once all is stored 409 upload_already_complete, HEAD answers Upload-Offset, POST …/link answers a new link
 * once complete (or as `link` decides), DELETE cancels (or as `del` decides). Every request is logged.
 */
function server(
  o: {
    create?: () => Reply | undefined;
    patch?: (n: number, last: boolean) => 'ok' | 'stall' | 'lost-reply';
    link?: () => Reply | undefined;
    del?: () => Reply;
  } = {},
) {
  const log: string[] = [];
  let size = 0;
  let stored = 0;
  const bytes: Uint8Array[] = [];
  let patches = 0;
  const view = (extra = {}) => ({
    id: ID,
    chunkMaxBytes: 128 * 1024,
    offset: stored,
    sizeBytes: size,
    ...extra,
  });
  const answer = async (req: Request): Promise<Reply> => {
    const path = new URL(req.url).pathname;
    log.push(`${req.method} ${path}`);
    if (req.method === 'POST' && path === FILES) {
      size = ((await req.json()) as { sizeBytes: number }).sizeBytes;
      return o.create?.() ?? reply(201, view());
    }
    if (req.method === 'HEAD') return new Response(null, { headers: { 'upload-offset': String(stored) } });
    if (req.method === 'DELETE') return o.del?.() ?? new Response(null, { status: 204 });
    if (req.method === 'POST' && path === `${UPLOAD}/link`)
      return (
        o.link?.() ??
        (stored === size
          ? reply(200, view({ download: { path: '/f/second-link' } }))
          : reply(404, {
              code: 'upload_not_found',
              message: 'The upload is not complete yet: finish it first.',
            }))
      );
    const body = new Uint8Array(await req.arrayBuffer());
    if (size > 0 && stored === size)
      return reply(409, { code: 'upload_already_complete', message: 'This upload is complete.' });
    const last = stored + body.length === size;
    const verdict = o.patch?.(++patches, last) ?? 'ok';
    if (verdict === 'stall')
      return reply(400, {
        code: 'upload_interrupted',
        message: 'The chunk stopped early.',
        details: { offset: stored },
      });
    stored += body.length;
    bytes.push(body);
    if (verdict === 'lost-reply') return 'drop';
    return reply(200, view(stored === size ? { download: { path: '/f/first-link' } } : {}));
  };
  const http = async (req: Request): Promise<Response> => {
    const r = await answer(req);
    if (r === 'drop') throw new TypeError('Failed to fetch');
    return r;
  };
  const uploaded = () => new Blob(bytes as BlobPart[]);
  return { http, log, uploaded, count: (line: string) => log.filter((l) => l === line).length };
}

const send = (s: ReturnType<typeof server>, pause: (ms: number) => Promise<void> = noPause) =>
  sealAndUpload(file, s.http, 'g1', { origin: ORIGIN, pause, now: () => 0 });
const failed = (
  s: ReturnType<typeof server>,
  pause?: (ms: number) => Promise<void>,
): Promise<Error & { code?: string }> =>
  send(s, pause).then(
    () => Promise.reject(new Error('the file was sent')),
    (e: unknown) => e as Error & { code?: string },
  );

afterEach(() => vi.unstubAllGlobals());

describe('sending a file', () => {
  it('cancels (DELETE, once) an upload whose chunks gave up, and tells the user to send it again', async () => {
    const s = server({ patch: (n) => (n === 1 ? 'ok' : 'stall') });
    const err = await failed(s);
    expect(err.code).toBe('upload_gave_up');
    expect(err.message).toMatch(/stopped 5 times .*check the connection and send the file again/);
    expect(s.count(`PATCH ${UPLOAD}`)).toBe(1 + MAX_STALLS);
    expect(s.count(`DELETE ${UPLOAD}`)).toBe(1);
    expect(s.log.at(-1)).toBe(`DELETE ${UPLOAD}`);
  });

  it('surfaces the original error when the DELETE itself fails (refused or the connection dropped)', async () => {
    for (const del of [() => reply(500, { message: 'boom' }), () => 'drop' as const]) {
      const s = server({ patch: () => 'stall', del });
      const err = await failed(s);
      expect(err.code).toBe('upload_gave_up');
      expect(err.message).toMatch(/send the file again/);
      expect(s.count(`DELETE ${UPLOAD}`)).toBe(1);
    }
  });

  it('asks for the link anew when the last chunk’s reply was lost, and sends the same file (no second upload)', async () => {
    const s = server({ patch: (_, last) => (last ? 'lost-reply' : 'ok') });
    const ref = await send(s);
    expect(ref.url).toBe(`${ORIGIN}/f/second-link`);
    expect(s.count(`POST ${UPLOAD}/link`)).toBe(1);
    expect(s.count(`POST ${FILES}`)).toBe(1);
    expect(s.count(`DELETE ${UPLOAD}`)).toBe(0);
    // Every byte went once (3 chunks of 128 KiB for 300 012 sealed bytes), then HEAD found the upload complete.
    // The three chunks, then one with no bytes at the end (HEAD cannot say whether the bytes were checked),
    // answered upload_already_complete.
    expect(s.count(`PATCH ${UPLOAD}`)).toBe(4);
    expect(s.log.slice(-3)).toEqual([`HEAD ${UPLOAD}`, `PATCH ${UPLOAD}`, `POST ${UPLOAD}/link`]);
    // The reference opens to the file: the key and hash are the ones the upload was sealed with.
    vi.stubGlobal('fetch', (url: string) =>
      Promise.resolve(url === ref.url ? new Response(s.uploaded()) : new Response(null, { status: 404 })),
    );
    expect(new Uint8Array(await (await fetchAndOpen(ref)).arrayBuffer())).toEqual(plain);
  });

  it('says clearly to send the file again when the link re-ask is refused (not complete), and cancels it at once', async () => {
    const message = 'The upload is not complete yet: finish it first.';
    for (const status of [404, 409]) {
      const s = server({
        patch: lastChunkLost,
        link: () => reply(status, { code: 'upload_not_found', message }),
      });
      const err = await failed(s);
      expect(err.code).toBe('upload_not_found');
      expect(err.message).toBe(
        `The server did not give the link to the file (${message}): send the file again.`,
      );
      expect(s.count(`POST ${UPLOAD}/link`)).toBe(1); // a refusal is final: not asked again
      expect(s.count(`DELETE ${UPLOAD}`)).toBe(1);
    }
  });

  it('asks for the link again after a dropped connection, and sends the file (nothing cancelled)', async () => {
    const r = linkReplies('drop');
    const s = server({ patch: lastChunkLost, link: r.link });
    const ref = await send(s, r.pause);
    expect(ref.url).toBe(`${ORIGIN}/f/second-link`);
    expect(s.count(`POST ${UPLOAD}/link`)).toBe(2);
    expect(r.waits).toEqual([LINK_PAUSE_MS]);
    expect(s.count(`DELETE ${UPLOAD}`)).toBe(0);
  });

  it('waits the Retry-After of a 503 or 429 before asking for the link again', async () => {
    for (const status of [503, 429]) {
      const r = linkReplies(reply(status, { message: 'Busy.' }, { 'retry-after': '7' }));
      const s = server({ patch: lastChunkLost, link: r.link });
      expect((await send(s, r.pause)).url).toBe(`${ORIGIN}/f/second-link`);
      expect(r.waits).toEqual([7000]);
      expect(s.count(`POST ${UPLOAD}/link`)).toBe(2);
      expect(s.count(`DELETE ${UPLOAD}`)).toBe(0);
    }
  });

  it('waits a Retry-After of an hour for at most MAX_RETRY_AFTER_MS', async () => {
    const r = linkReplies(reply(503, { message: 'Busy.' }, { 'retry-after': '3600' }));
    const s = server({ patch: lastChunkLost, link: r.link });
    expect((await send(s, r.pause)).url).toBe(`${ORIGIN}/f/second-link`);
    expect(r.waits).toEqual([MAX_RETRY_AFTER_MS]);
  });

  it('asks for the link again after a timeout (408) or a server error (500), backing off', async () => {
    const r = linkReplies(reply(408, {}), reply(500, { message: 'boom' }));
    const s = server({ patch: lastChunkLost, link: r.link });
    expect((await send(s, r.pause)).url).toBe(`${ORIGIN}/f/second-link`);
    expect(r.waits).toEqual([LINK_PAUSE_MS, 2 * LINK_PAUSE_MS]);
    expect(s.count(`DELETE ${UPLOAD}`)).toBe(0);
  });

  it('after 3 failed link re-asks, cancels the upload once and says to send the file again', async () => {
    expect(LINK_ATTEMPTS).toBe(3);
    const r = linkReplies(
      'drop',
      reply(502, {}),
      'drop',
      reply(200, { id: ID, download: { path: '/f/late' } }),
    );
    const s = server({ patch: lastChunkLost, link: r.link });
    const err = await failed(s, r.pause);
    expect(err.code).toBe('upload_link_lost');
    expect(err.message).toMatch(
      /^The server did not give the link to the file \(Failed to fetch\): send the file again\.$/,
    );
    expect(s.count(`POST ${UPLOAD}/link`)).toBe(LINK_ATTEMPTS);
    expect(r.waits).toEqual([LINK_PAUSE_MS, 2 * LINK_PAUSE_MS]);
    expect(s.count(`DELETE ${UPLOAD}`)).toBe(1);
    expect(s.log.at(-1)).toBe(`DELETE ${UPLOAD}`);
  });

  it('when that DELETE fails too, says the copy counts against the quota until it expires', async () => {
    for (const del of [() => reply(500, { message: 'boom' }), () => 'drop' as const]) {
      const s = server({ patch: lastChunkLost, link: () => 'drop', del });
      const err = await failed(s);
      expect(err.message).toBe(
        'The server did not give the link to the file (Failed to fetch): send the file again. The copy already sent counts against the quota until it expires.',
      );
      expect(s.count(`DELETE ${UPLOAD}`)).toBe(1);
    }
  });

  it('on too_many_uploads, says what to do (wait for the uploads in progress) and uploads nothing', async () => {
    const message =
      'One handset may have at most 3 uploads in progress: finish or cancel (DELETE) one of them first.';
    const s = server({ create: () => reply(409, { code: 'too_many_uploads', message }) });
    const err = await failed(s);
    expect(err.code).toBe('too_many_uploads');
    expect(err.message).toMatch(
      /^One handset may have at most 3 uploads in progress.* Wait for the files this device is sending to finish.*then send this one again\.$/,
    );
    expect(s.log).toEqual([`POST ${FILES}`]);
  });

  it('on chat_rate_limited, says how long to wait (Retry-After)', async () => {
    const message = 'More than 10 uploads a minute from this handset: wait, then try again.';
    const s = server({
      create: () => reply(429, { code: 'chat_rate_limited', message }, { 'retry-after': '17' }),
    });
    const err = await failed(s);
    expect(err.code).toBe('chat_rate_limited');
    expect(err.message).toBe(`${message} Try again in 17 s.`);
    expect(s.log).toEqual([`POST ${FILES}`]);
  });

  it('on a quota refusal (413), passes on the server’s message, which says what to do', async () => {
    const message =
      'Your institution’s attachments would exceed its quota of 1000 bytes: delete files you no longer need (or wait for them to expire), or ask your operator for a larger quota.';
    const s = server({ create: () => reply(413, { code: 'file_quota_exceeded', message }) });
    const err = await failed(s);
    expect(err).toMatchObject({ code: 'file_quota_exceeded', message });
    expect(s.log).toEqual([`POST ${FILES}`]);
  });
});
