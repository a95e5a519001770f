import { randomBytes } from 'node:crypto';

/** Janus answered with an error (`janus: "error"`, or a VideoRoom `error_code`), or did not answer at all. */
export class JanusError extends Error {
  override readonly name = 'JanusError';
  constructor(
    message: string,
    readonly code: number | null,
  ) {
    super(message);
  }
}

export type JanusInfo = { version: string; sessions: number };
export type JanusRoom = {
  room: number;
  description: string;
  requireE2ee: boolean;
  requirePvtid: boolean;
  participants: number;
};
export type JanusParticipant = { id: number; publisher: boolean };

type Json = Record<string, unknown>;
const MAX_REPLY_BYTES = 4 * 1024 * 1024;

/**
 * A tiny driver of one Janus's admin API over HTTP (`admin_http`, the transport's `/admin` path): server
 * info, the session list, and VideoRoom requests through `message_plugin` — synchronous plugin requests
 * without a session, authenticated by the admin secret (and the VideoRoom's `admin_key`, the same secret).
 * Each room has a secret of its own (`roomSecret`, derived per call by the caller) that its destroy, kick
 * and `allowed` requests carry: the host-wide admin secret is not spread over every room.
 * Media never passes here: clients speak to Janus's WebSocket API themselves.
 */
export class JanusAdmin {
  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly timeoutMs = 3000,
  ) {}

  async info(): Promise<JanusInfo> {
    const info = await this.call({ janus: 'info' });
    const list = await this.call({ janus: 'list_sessions' });
    const sessions = Array.isArray(list['sessions']) ? list['sessions'].length : 0;
    const version = typeof info['version_string'] === 'string' ? info['version_string'] : 'unknown';
    return { version, sessions };
  }

  /**
   * A non-permanent room whose publishers must present one of its `allowed` tokens and publish E2EE, and whose
   * subscribers must present a joined publisher's `private_id` (`require_pvtid`): Janus checks the token only
   * for publishers, so without it room and feed ids alone would let anyone (a kicked device too) receive the
   * media; with it a kick also tears down the kicked participant's subscriptions.
   */
  async createRoom(room: number, roomSecret: string, publishers: number, description: string): Promise<void> {
    await this.videoroom({
      request: 'create',
      room,
      description,
      secret: roomSecret,
      is_private: true,
      permanent: false,
      publishers,
      require_e2ee: true,
      require_pvtid: true,
      allowed: [],
    });
  }

  async destroyRoom(room: number, roomSecret: string): Promise<void> {
    try {
      await this.videoroom({ request: 'destroy', room, secret: roomSecret, permanent: false });
    } catch (err) {
      // 426: no such room (Janus restarted, or destroyed before) — what destroy wanted.
      if (!(err instanceof JanusError && err.code === 426)) throw err;
    }
  }

  /** A room made before rooms had secrets of their own (the admin secret was every room's). */
  destroyLegacyRoom(room: number): Promise<void> {
    return this.destroyRoom(room, this.secret);
  }

  allow(room: number, roomSecret: string, action: 'add' | 'remove', tokens: string[]): Promise<Json> {
    return this.videoroom({ request: 'allowed', room, secret: roomSecret, action, allowed: tokens });
  }

  async kick(room: number, roomSecret: string, id: number): Promise<void> {
    try {
      await this.videoroom({ request: 'kick', room, secret: roomSecret, id });
    } catch (err) {
      // 428: no such participant (not joined, or gone already).
      if (!(err instanceof JanusError && err.code === 428)) throw err;
    }
  }

  async participants(room: number): Promise<JanusParticipant[]> {
    const r = await this.videoroom({ request: 'listparticipants', room });
    const list = Array.isArray(r['participants']) ? (r['participants'] as Json[]) : [];
    return list.map((p) => ({ id: Number(p['id']), publisher: p['publisher'] === true }));
  }

  async rooms(): Promise<JanusRoom[]> {
    const r = await this.videoroom({ request: 'list' });
    const list = Array.isArray(r['list']) ? (r['list'] as Json[]) : [];
    return list.map((x) => ({
      room: Number(x['room']),
      description: typeof x['description'] === 'string' ? x['description'] : '',
      requireE2ee: x['require_e2ee'] === true,
      requirePvtid: x['require_pvtid'] === true,
      participants: Number(x['num_participants'] ?? 0),
    }));
  }

  private async videoroom(request: Json): Promise<Json> {
    const reply = await this.call({
      janus: 'message_plugin',
      plugin: 'janus.plugin.videoroom',
      request: { ...request, admin_key: this.secret },
    });
    const response = (reply['response'] ?? {}) as Json;
    if (typeof response['error_code'] === 'number')
      throw new JanusError(`VideoRoom: ${String(response['error'])}`, response['error_code']);
    return response;
  }

  private async call(body: Json): Promise<Json> {
    const transaction = randomBytes(8).toString('hex');
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, transaction, admin_secret: this.secret }),
        signal: AbortSignal.timeout(this.timeoutMs),
        // The admin URL is operator-configured: never follow it elsewhere (with the admin secret in the body).
        redirect: 'error',
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new JanusError(`Janus admin API unreachable: ${cause ?? (err as Error).message}`, null);
    }
    const text = await readCapped(res, MAX_REPLY_BYTES);
    let reply: Json;
    try {
      reply = JSON.parse(text) as Json;
    } catch {
      throw new JanusError(`Janus admin API answered HTTP ${res.status} without JSON`, null);
    }
    if (reply['janus'] === 'error') {
      const e = (reply['error'] ?? {}) as Json;
      throw new JanusError(`Janus: ${String(e['reason'])}`, typeof e['code'] === 'number' ? e['code'] : null);
    }
    return reply;
  }
}

/** The body as text, read as a stream and abandoned as soon as it passes `max` bytes. */
async function readCapped(res: Response, max: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > max) throw new JanusError('Janus admin reply too large', null);
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof JanusError) {
      await res.body?.cancel().catch(() => undefined);
      throw err;
    }
    throw new JanusError(`Janus admin reply unreadable: ${(err as Error).message}`, null);
  }
  return Buffer.concat(chunks).toString('utf8');
}
