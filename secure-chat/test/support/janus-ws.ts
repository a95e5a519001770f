import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

type Json = Record<string, unknown>;

/**
 * A participant's side of Janus's WebSocket API (`janus-protocol`), just enough for signalling tests: a
 * session, a VideoRoom handle, a publisher join, and the events Janus pushes (kicks, leaves).
 */
export class JanusClient {
  readonly events: Json[] = [];
  private readonly waiting = new Map<string, (m: Json) => void>();
  private session = 0;
  private handle = 0;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as Json;
      const t = typeof m['transaction'] === 'string' ? m['transaction'] : undefined;
      if (t && m['janus'] !== 'ack' && this.waiting.has(t)) {
        this.waiting.get(t)!(m);
        this.waiting.delete(t);
      } else if (m['janus'] !== 'ack') this.events.push(m);
    });
  }

  static async connect(url: string): Promise<JanusClient> {
    const ws = new WebSocket(url, 'janus-protocol');
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const c = new JanusClient(ws);
    c.session = Number(((await c.send({ janus: 'create' }))['data'] as Json)['id']);
    c.handle = Number(
      (
        (await c.send({ janus: 'attach', plugin: 'janus.plugin.videoroom', session_id: c.session }))[
          'data'
        ] as Json
      )['id'],
    );
    return c;
  }

  /** Joins as a publisher; the VideoRoom's answer (`videoroom: joined`, or `error_code`). */
  async join(room: number, id: number, token: string | undefined): Promise<Json> {
    const reply = await this.send({
      janus: 'message',
      session_id: this.session,
      handle_id: this.handle,
      body: { request: 'join', ptype: 'publisher', room, id, display: 'test', ...(token ? { token } : {}) },
    });
    return ((reply['plugindata'] as Json | undefined)?.['data'] ?? reply) as Json;
  }

  /** Whether Janus told this participant it was kicked (or its room went away) within the time. */
  async waitForEvent(match: (data: Json) => boolean, timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.events.some((e) => match(((e['plugindata'] as Json | undefined)?.['data'] ?? e) as Json)))
        return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  close(): void {
    this.ws.close();
  }

  private send(body: Json): Promise<Json> {
    const transaction = randomBytes(6).toString('hex');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`janus: no answer to ${String(body['janus'])}`)),
        10_000,
      );
      this.waiting.set(transaction, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.ws.send(JSON.stringify({ ...body, transaction }));
    });
  }
}
