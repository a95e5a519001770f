// A participant's side of Janus's WebSocket API (`janus-protocol`) in the browser: a session, VideoRoom
// handles, requests matched to their replies by transaction, and the events Janus pushes (docs/calls.md).

export type Json = Record<string, unknown>;
export type Jsep = { type: RTCSdpType; sdp: string; e2ee?: boolean };
/** What a VideoRoom request answered: the plugin's data and, for negotiations, Janus's SDP. */
export type PluginReply = { data: Json; jsep?: Jsep };

const REQUEST_MS = 10_000;

export class JanusSession {
  private readonly waiting = new Map<string, { resolve: (m: Json) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<number, (m: Json) => void>();
  private id = 0;
  private keepalive: ReturnType<typeof setInterval> | undefined;
  private next = 0;

  private constructor(private readonly ws: WebSocket) {
    ws.onmessage = (ev) => this.onMessage(JSON.parse(String(ev.data)) as Json);
    ws.onclose = () => {
      clearInterval(this.keepalive);
      for (const w of this.waiting.values()) w.reject(new Error('janus: connection closed'));
      this.waiting.clear();
    };
  }

  static async open(url: string): Promise<JanusSession> {
    const ws = new WebSocket(url, 'janus-protocol');
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`janus: cannot connect to ${url}`));
    });
    const s = new JanusSession(ws);
    s.id = Number(((await s.request({ janus: 'create' }))['data'] as Json)['id']);
    s.keepalive = setInterval(() => void s.request({ janus: 'keepalive' }).catch(() => undefined), 25_000);
    return s;
  }

  /** A VideoRoom handle; `onEvent` gets what Janus pushes to it outside a request (publishers, kicks). */
  async attach(onEvent: (m: Json) => void): Promise<VideoRoomHandle> {
    const reply = await this.request({ janus: 'attach', plugin: 'janus.plugin.videoroom' });
    const handle = Number((reply['data'] as Json)['id']);
    this.listeners.set(handle, onEvent);
    return new VideoRoomHandle(this, handle);
  }

  close(): void {
    clearInterval(this.keepalive);
    this.ws.close();
  }

  /** Sends a request and resolves with Janus's reply to it: `success`, or for plugin messages the `event`. */
  request(body: Json): Promise<Json> {
    const transaction = `t${++this.next}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(transaction);
        reject(new Error(`janus: no answer to ${String(body['janus'])}`));
      }, REQUEST_MS);
      this.waiting.set(transaction, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject,
      });
      this.ws.send(JSON.stringify({ ...body, transaction, ...(this.id ? { session_id: this.id } : {}) }));
    });
  }

  private onMessage(m: Json): void {
    if (m['janus'] === 'ack') return;
    const t = typeof m['transaction'] === 'string' ? m['transaction'] : undefined;
    const w = t ? this.waiting.get(t) : undefined;
    if (w && t) {
      this.waiting.delete(t);
      if (m['janus'] === 'error') w.reject(new Error(`janus: ${JSON.stringify(m['error'])}`));
      else w.resolve(m);
      return;
    }
    const sender = Number(m['sender']);
    this.listeners.get(sender)?.(m);
  }
}

export class VideoRoomHandle {
  constructor(
    private readonly session: JanusSession,
    readonly id: number,
  ) {}

  /** A VideoRoom request; a plugin error (`error_code`) is returned as data, not thrown. */
  async message(body: Json, jsep?: Jsep): Promise<PluginReply> {
    const reply = await this.session.request({
      janus: 'message',
      handle_id: this.id,
      body,
      ...(jsep ? { jsep } : {}),
    });
    const data = ((reply['plugindata'] as Json | undefined)?.['data'] ?? {}) as Json;
    return { data, ...(reply['jsep'] ? { jsep: reply['jsep'] as Jsep } : {}) };
  }
}

/** An offer or answer with every ICE candidate in it (no trickle: simpler, and Janus accepts it). */
export async function gathered(pc: RTCPeerConnection): Promise<RTCSessionDescriptionInit> {
  if (pc.iceGatheringState !== 'complete')
    await new Promise<void>((resolve) => {
      const done = () => pc.iceGatheringState === 'complete' && resolve();
      pc.addEventListener('icegatheringstatechange', done);
      setTimeout(resolve, 5_000);
    });
  return pc.localDescription!.toJSON();
}
