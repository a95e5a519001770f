// A call's media in the browser: a publisher handle that joins the VideoRoom with the server's token
// (`CallJoin.janus`, docs/calls.md) and publishes the camera and microphone, subscriber handles that carry the
// publisher's `private_id` (rooms are `require_pvtid`), and every frame through the SFrame worker.
import { gathered, JanusSession, type Json, type Jsep, type VideoRoomHandle } from './janus-session.ts';
import type { WireEpoch, WorkerMessage } from './sframe-worker.ts';

export type CallJanus = { url: string; room: number; participantId: number; token: string };
type Stats = {
  encrypted: number;
  decrypted: number;
  unknownKid: number;
  authFailed: number;
  lastKid: number;
};
type Transformable = { transform: unknown };
declare const RTCRtpScriptTransform: new (worker: Worker, options: unknown) => unknown;

export type Subscription = {
  feed: number;
  pc: RTCPeerConnection;
  handle: VideoRoomHandle;
  /** Janus's hangup or the VideoRoom's kick/leave reached this subscription. */
  ended: boolean;
  events: Json[];
};

export class CallMedia {
  readonly publishers = new Set<number>();
  readonly events: Json[] = [];
  readonly subscriptions: Subscription[] = [];
  /** Feeds Janus said left or unpublished (their tiles go). */
  readonly gone = new Set<number>();
  /** Janus kicked this participant (its device was taken out of the chat). */
  kicked = false;
  privateId = 0;
  publisherUp = false;
  private session!: JanusSession;
  private publisher!: VideoRoomHandle;
  private pc: RTCPeerConnection | undefined;

  private constructor(
    private readonly janus: CallJanus,
    private readonly worker: Worker,
    private readonly iceServers: RTCIceServer[],
  ) {}

  /** Joins the room as a publisher; `workerUrl` is the SFrame worker's script. */
  static async join(
    janus: CallJanus,
    workerUrl: string,
    iceServers: RTCIceServer[] = [],
  ): Promise<CallMedia> {
    const m = new CallMedia(janus, new Worker(workerUrl, { type: 'module' }), iceServers);
    m.session = await JanusSession.open(janus.url);
    m.publisher = await m.session.attach((e) => m.onPublisherEvent(e));
    const { data } = await m.publisher.message({
      request: 'join',
      ptype: 'publisher',
      room: janus.room,
      id: janus.participantId,
      token: janus.token,
    });
    if (data['videoroom'] !== 'joined') throw new Error(`join refused: ${JSON.stringify(data)}`);
    m.privateId = Number(data['private_id']);
    m.notePublishers(data);
    return m;
  }

  setEpoch(epoch: WireEpoch): void {
    this.post({ type: 'epoch', epoch });
  }

  /** Publishes the camera and microphone, every frame sealed by the worker (the room requires E2EE). */
  async publish(stream: MediaStream): Promise<void> {
    const pc = (this.pc = new RTCPeerConnection({ iceServers: this.iceServers }));
    pc.addEventListener(
      'connectionstatechange',
      () => (this.publisherUp = pc.connectionState === 'connected'),
    );
    for (const track of stream.getTracks()) this.transform(pc.addTrack(track, stream), 'send');
    await pc.setLocalDescription(await pc.createOffer());
    const offer = await gathered(pc);
    const { data, jsep } = await this.publisher.message(
      { request: 'publish' },
      { ...(offer as Jsep), e2ee: true },
    );
    if (!jsep) throw new Error(`publish refused: ${JSON.stringify(data)}`);
    await pc.setRemoteDescription({ type: jsep.type, sdp: jsep.sdp });
  }

  /**
   * Sends `track` instead of the camera (screen sharing, and back). The SFrame transform belongs to the sender,
   * not the track, so the new track's frames are sealed as the camera's were; no renegotiation.
   */
  async replaceVideo(track: MediaStreamTrack): Promise<void> {
    const sender = this.pc?.getSenders().find((s) => s.track?.kind === 'video');
    if (!sender) throw new Error('this call sends no video');
    await sender.replaceTrack(track);
  }

  /** Subscribes to a publisher's feed with `privateId` (default: this participant's own). */
  async subscribe(feed: number, privateId = this.privateId): Promise<Subscription | Json> {
    const sub: Subscription = {
      feed,
      pc: new RTCPeerConnection({ iceServers: this.iceServers }),
      handle: null!,
      ended: false,
      events: [],
    };
    sub.handle = await this.session.attach((e) => {
      sub.events.push(e);
      const d = (e['plugindata'] as Json | undefined)?.['data'] as Json | undefined;
      if (e['janus'] === 'hangup' || e['janus'] === 'detached' || d?.['leaving'] || d?.['left'])
        sub.ended = true;
    });
    const body = {
      request: 'join',
      ptype: 'subscriber',
      room: this.janus.room,
      private_id: privateId,
      streams: [{ feed }],
    };
    const { data, jsep } = await sub.handle.message(body);
    if (data['videoroom'] !== 'attached' || !jsep) return data;
    sub.pc.addEventListener('track', (e) => this.transform(e.receiver, 'recv'));
    await sub.pc.setRemoteDescription({ type: jsep.type, sdp: jsep.sdp });
    await sub.pc.setLocalDescription(await sub.pc.createAnswer());
    const answer = await gathered(sub.pc);
    const started = await sub.handle.message({ request: 'start' }, { ...(answer as Jsep), e2ee: true });
    if (started.data['error_code']) return started.data;
    this.subscriptions.push(sub);
    return sub;
  }

  /** Inbound media per subscription (frames decoded, packets), and the worker's SFrame counters. */
  async stats(): Promise<{
    inbound: { feed: number; framesDecoded: number; packets: number; audioPackets: number; ended: boolean }[];
    sframe: Stats;
  }> {
    const inbound = [];
    for (const s of this.subscriptions) {
      let framesDecoded = 0;
      let packets = 0;
      let audioPackets = 0;
      (await s.pc.getStats()).forEach((r: Record<string, unknown>) => {
        if (r['type'] !== 'inbound-rtp') return;
        framesDecoded += Number(r['framesDecoded'] ?? 0);
        packets += Number(r['packetsReceived'] ?? 0);
        if (r['kind'] === 'audio') audioPackets += Number(r['packetsReceived'] ?? 0);
      });
      inbound.push({ feed: s.feed, framesDecoded, packets, audioPackets, ended: s.ended });
    }
    const sframe = await new Promise<Stats>((resolve) => {
      const on = (e: MessageEvent<{ type: string; stats: Stats }>) => {
        if (e.data.type !== 'stats') return;
        this.worker.removeEventListener('message', on);
        resolve(e.data.stats);
      };
      this.worker.addEventListener('message', on);
      this.post({ type: 'stats' });
    });
    return { inbound, sframe };
  }

  close(): void {
    this.pc?.close();
    for (const s of this.subscriptions) s.pc.close();
    this.session.close();
    this.worker.terminate();
  }

  private transform(target: RTCRtpSender | RTCRtpReceiver, side: 'send' | 'recv') {
    (target as unknown as Transformable).transform = new RTCRtpScriptTransform(this.worker, { side });
  }

  private post(m: WorkerMessage) {
    this.worker.postMessage(m);
  }

  private onPublisherEvent(e: Json) {
    this.events.push(e);
    const d = (e['plugindata'] as Json | undefined)?.['data'] as Json | undefined;
    if (!d) return;
    this.notePublishers(d);
    if (d['leaving'] === 'ok' && d['reason'] === 'kicked') this.kicked = true;
    for (const k of ['leaving', 'unpublished', 'kicked'])
      if (typeof d[k] === 'number') {
        this.gone.add(d[k]);
        this.publishers.delete(d[k]);
      }
  }

  private notePublishers(d: Json) {
    for (const p of (d['publishers'] as { id: number }[] | undefined) ?? []) {
      this.gone.delete(p.id); // published again (a rejoin keeps its participant id)
      this.publishers.add(p.id);
    }
  }
}
