import { describe, expect, it } from 'vitest';
import {
  BUSY_PATIENCE_MS,
  BUSY_PAUSE_MS,
  MAX_STALLS,
  MIN_CHUNK_BYTES,
  sendChunks,
  type Upload,
} from './upload-chunks.ts';

const ORIGIN = 'https://pakawaaz.test';
const SIZE = 1 << 20;
const sealed = Uint8Array.from({ length: SIZE }, (_, i) => i % 251);
const first: Upload = { id: 'u1', chunkMaxBytes: 256 * 1024, offset: 0 };
const noPause = () => Promise.resolve();

/**
 * The server's side of an upload, as the routes answer: PATCH at the stored offset stores the bytes (or, as
 * `patch` decides, part of them and 400 upload_interrupted with details.offset, or a dropped connection);
 * HEAD answers Upload-Offset.
 */
function server(
  patch: (n: number, body: Uint8Array, offset: number) => 'ok' | 'drop' | 'busy' | { keep: number },
) {
  const stored: number[] = [];
  const log: string[] = [];
  let patches = 0;
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const http = async (req: Request): Promise<Response> => {
    if (req.method === 'HEAD') {
      log.push('HEAD');
      return new Response(null, { status: 200, headers: { 'upload-offset': String(stored.length) } });
    }
    const at = Number(req.headers.get('upload-offset'));
    const body = new Uint8Array(await req.arrayBuffer());
    log.push(`PATCH ${at}+${body.length}`);
    if (at !== stored.length)
      return reply(409, {
        code: 'upload_offset_mismatch',
        message: 'no',
        details: { offset: stored.length },
      });
    // Every byte in already (a chunk interrupted just at the end): only the check is left, as the server does.
    if (body.length === 0 && at === SIZE)
      return reply(200, { ...first, offset: SIZE, download: { path: '/d/t' } });
    const verdict = patch(++patches, body, at);
    if (verdict === 'drop') throw new TypeError('Failed to fetch');
    if (verdict === 'busy')
      return reply(409, { code: 'upload_busy', message: 'Another request is writing this upload.' });
    const keep = verdict === 'ok' ? body.length : verdict.keep;
    for (const b of body.subarray(0, keep)) stored.push(b);
    if (verdict !== 'ok')
      return reply(400, {
        code: 'upload_interrupted',
        message: 'The chunk stopped early: resume.',
        details: { offset: stored.length },
      });
    const done = stored.length === SIZE;
    return reply(200, { ...first, offset: stored.length, ...(done ? { download: { path: '/d/t' } } : {}) });
  };
  return { http, log, stored };
}

const same = (stored: number[]) => stored.length === SIZE && stored.every((b, i) => b === sealed[i]);

describe('sending an upload’s chunks', () => {
  it('resumes an interrupted chunk from details.offset, with smaller chunks from then on', async () => {
    const s = server((n) => (n === 2 ? { keep: 1000 } : 'ok'));
    const last = await sendChunks(sealed, first, s.http, { origin: ORIGIN, pause: noPause });
    expect(last.download?.path).toBe('/d/t');
    expect(same(s.stored)).toBe(true);
    expect(s.log.slice(0, 3)).toEqual(['PATCH 0+262144', 'PATCH 262144+262144', 'PATCH 263144+131072']);
    expect(s.log).not.toContain('HEAD');
  });

  it('asks the server where the upload stands (HEAD) after a dropped connection, and goes on from there', async () => {
    const s = server((n, body) => (n === 1 ? (s.stored.push(...body.subarray(0, 500)), 'drop') : 'ok'));

    await sendChunks(sealed, first, s.http, { origin: ORIGIN, pause: noPause });
    expect(s.log.slice(0, 3)).toEqual(['PATCH 0+262144', 'HEAD', 'PATCH 500+262144']);
    expect(same(s.stored)).toBe(true);
  });

  it('goes on as long as attempts store bytes, however many are interrupted or store nothing', async () => {
    // Two attempts of three store nothing: never MAX_STALLS in a row.
    const s = server((n) => ({ keep: n % 3 === 0 ? 40_000 : 0 }));
    const last = await sendChunks(sealed, first, s.http, { origin: ORIGIN, pause: noPause });
    expect(same(s.stored)).toBe(true);
    expect(last.offset).toBe(SIZE);
    expect(s.log.length).toBeGreaterThan(MAX_STALLS);
    // Halved down to the smallest chunk the server takes, never below.
    const sizes = s.log.map((l) => Number(l.split('+')[1]));
    expect(sizes.slice(0, 4)).toEqual([262144, 131072, MIN_CHUNK_BYTES, MIN_CHUNK_BYTES]);
    const chunks = s.log.map((l) => l.slice('PATCH '.length).split('+').map(Number) as [number, number]);
    // Never below it but for the last bytes.
    expect(chunks.every(([at, n]) => n >= MIN_CHUNK_BYTES || at + n === SIZE)).toBe(true);
  });

  it(`gives up with a clear message after ${MAX_STALLS} attempts in a row that store nothing`, async () => {
    const s = server((n) => (n === 1 ? 'ok' : { keep: 0 }));
    const pauses: number[] = [];
    const pause = (ms: number) => (pauses.push(ms), Promise.resolve());
    const err = await sendChunks(sealed, first, s.http, { origin: ORIGIN, pause }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('upload_gave_up');
    expect((err as Error).message).toMatch(/stopped 5 times at byte 262144 of 1048576 .*send the file again/);
    expect(s.log.filter((l) => l.startsWith('PATCH'))).toHaveLength(1 + MAX_STALLS);
    expect(pauses).toEqual([1000, 2000, 4000, 8000]);
  });

  it('tries a chunk answered 503 again after its Retry-After, as it does a timeout (408) or a rate limit (429)', async () => {
    for (const status of [503, 408, 429]) {
      const s = server(() => 'ok');
      let refused = false;
      const waits: number[] = [];
      const http = (req: Request) => {
        if (req.method !== 'PATCH' || refused) return s.http(req);
        refused = true;
        const headers = { 'content-type': 'application/json', 'retry-after': '2' };
        return Promise.resolve(new Response(JSON.stringify({ message: 'Busy.' }), { status, headers }));
      };
      const pause = (ms: number) => (waits.push(ms), Promise.resolve());
      const last = await sendChunks(sealed, first, http, { origin: ORIGIN, pause });
      expect(last.download?.path).toBe('/d/t');
      expect(same(s.stored)).toBe(true);
      expect(waits).toEqual([2000]);
    }
  });

  it('stops at once on a refusal that another attempt would not change', async () => {
    const http = () =>
      Promise.resolve(
        new Response(JSON.stringify({ code: 'upload_digest_mismatch', message: 'The bytes do not match.' }), {
          status: 422,
        }),
      );
    await expect(sendChunks(sealed, first, http, { origin: ORIGIN, pause: noPause })).rejects.toMatchObject({
      code: 'upload_digest_mismatch',
      message: 'The bytes do not match.',
    });
  });

  it('waits out upload_busy (a dropped PATCH the server has not ended) without counting it, up to its patience', async () => {
    // The first PATCH's connection drops after the server took it; the server holds the upload for 60 s.
    let clock = 0;
    const pause = (ms: number) => ((clock += ms), Promise.resolve());
    const s = server((n) => (n === 1 ? 'drop' : clock < 60_000 ? 'busy' : 'ok'));
    const last = await sendChunks(sealed, first, s.http, { origin: ORIGIN, pause, now: () => clock });
    expect(last.download?.path).toBe('/d/t');
    expect(same(s.stored)).toBe(true);
    expect(clock).toBeGreaterThanOrEqual(60_000);
    // Busy for ever: it gives up once its patience is spent, with a clear message.
    clock = 0;
    const stuck = server((n) => (n === 1 ? 'drop' : 'busy'));
    const err = await sendChunks(sealed, first, stuck.http, {
      origin: ORIGIN,
      pause,
      now: () => clock,
    }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('upload_gave_up');
    expect((err as Error).message).toMatch(/still held the upload after 90 s/);
    expect(clock).toBeGreaterThan(BUSY_PATIENCE_MS);
    expect(clock).toBeLessThanOrEqual(BUSY_PATIENCE_MS + 2 * BUSY_PAUSE_MS + 1000);
  });

  /**
   * The last chunk's connection drops after the server stored every byte. `head` is the offset HEAD reports
   * then (the recorded one: the old offset while the dropped PATCH still holds the lease, or the end once a
   * crash let it lapse) and `retry` what the server answers the next PATCH.
   */
  function lostLastReply(head: number, retry: (at: number, bytes: number) => Response) {
    const log: string[] = [];
    const one: Upload = { ...first, chunkMaxBytes: SIZE };
    const http = async (req: Request): Promise<Response> => {
      if (req.method === 'HEAD') {
        log.push('HEAD');
        return new Response(null, { status: 200, headers: { 'upload-offset': String(head) } });
      }
      const at = Number(req.headers.get('upload-offset'));
      const bytes = (await req.arrayBuffer()).byteLength;
      log.push(`PATCH ${at}+${bytes}`);
      if (log.length === 1) throw new TypeError('Failed to fetch');
      return retry(at, bytes);
    };
    return { log, send: () => sendChunks(sealed, one, http, { origin: ORIGIN, pause: noPause }) };
  }
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  it('a retried PATCH answered upload_already_complete (the lost one completed it) ends without a link, not in an error', async () => {
    const s = lostLastReply(0, () =>
      json(409, { code: 'upload_already_complete', message: 'This upload is complete.' }),
    );
    const last = await s.send();
    expect(last).toMatchObject({ id: 'u1', offset: SIZE });
    expect(last.download).toBeUndefined(); // the caller asks for the link (files.ts)
    expect(s.log).toEqual([`PATCH 0+${SIZE}`, 'HEAD', `PATCH 0+${SIZE}`]);
  });

  it('every byte in but not checked yet (the server died while hashing): a PATCH with no bytes at the end finishes it', async () => {
    const s = lostLastReply(SIZE, (at, bytes) =>
      at === SIZE && bytes === 0
        ? json(200, { ...first, offset: SIZE, download: { path: '/d/t' } })
        : json(409, { code: 'upload_offset_mismatch', message: 'no', details: { offset: SIZE } }),
    );
    expect((await s.send()).download?.path).toBe('/d/t');
    expect(s.log).toEqual([`PATCH 0+${SIZE}`, 'HEAD', `PATCH ${SIZE}+0`]);
  });

  it('an answer at the end without a link is returned as it is (no PATCH with no bytes)', async () => {
    let patches = 0;
    const http = (req: Request) => {
      if (req.method === 'PATCH') patches++;
      // A second PATCH would be a loop: the connection drops from then on, so it ends (upload_gave_up).
      if (patches > 1) return Promise.reject(new TypeError('Failed to fetch'));
      return Promise.resolve(json(200, { ...first, offset: SIZE }));
    };
    const one: Upload = { ...first, chunkMaxBytes: SIZE };
    const last = await sendChunks(sealed, one, http, { origin: ORIGIN, pause: noPause });
    expect(last).toMatchObject({ offset: SIZE });
    expect(patches).toBe(1);
  });
});
