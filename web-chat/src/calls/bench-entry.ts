// The call benchmarks' page script (lab/src/bench/calls-*.bench.ts, bundled with esbuild): a call's media the
// way the web client does it (CallMedia: join with the server's token, SFrame worker, publish, subscribe) with
// the wall-clock time of each step, and bare subscriber PeerConnections for the SFU bench.
import { CallMedia, type CallJanus } from './call-media.ts';
import { gathered, JanusSession, type Jsep } from './janus-session.ts';
import type { WireEpoch } from './sframe-worker.ts';

/** Milliseconds since the Unix epoch, sub-millisecond: the same clock as the bench's Node process. */
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(5);
  }
}

async function inbound(pc: RTCPeerConnection): Promise<{ packets: number; frames: number; bytes: number }> {
  const n = { packets: 0, frames: 0, bytes: 0 };
  (await pc.getStats()).forEach((r: Record<string, unknown>) => {
    if (r['type'] !== 'inbound-rtp') return;
    n.packets += Number(r['packetsReceived'] ?? 0);
    n.frames += Number(r['framesDecoded'] ?? 0);
    n.bytes += Number(r['bytesReceived'] ?? 0);
  });
  return n;
}

let media: CallMedia | undefined;
/** The SFrame worker's bundle, which the bench serves in the page as a `text/plain` script element. */
let worker: string | undefined;
const workerUrl = () =>
  (worker ??= URL.createObjectURL(
    new Blob([document.getElementById('sframe-worker')!.textContent], { type: 'text/javascript' }),
  ));
/** `noise`: a canvas of random pixels instead of the fake camera's simple pattern (which compresses well). */
type Video = { width: number; height: number; frameRate: number; noise?: boolean };

/** The microphone, and video of random pixels: an encoder cannot compress it, so it sends at full rate. */
async function noisy(v: Video): Promise<MediaStream> {
  const canvas = Object.assign(document.createElement('canvas'), { width: v.width, height: v.height });
  const g = canvas.getContext('2d')!;
  const img = g.createImageData(v.width, v.height);
  const px = new Uint32Array(img.data.buffer);
  setInterval(() => {
    for (let i = 0; i < px.length; i++) px[i] = (Math.random() * 0x1000000) | 0xff000000;
    g.putImageData(img, 0, 0);
  }, 1000 / v.frameRate);
  const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
  return new MediaStream([...mic.getAudioTracks(), ...canvas.captureStream(v.frameRate).getVideoTracks()]);
}

/** Camera and microphone, join with the server's token, publish SFrame-sealed; each step's time in `t`. */
async function publish(janus: CallJanus, epoch: WireEpoch, video: Video, t: Times) {
  const { noise, ...size } = video;
  const stream = noise
    ? await noisy(video)
    : await navigator.mediaDevices.getUserMedia({ audio: true, video: size });
  t['camera'] = now();
  const m = (media = await CallMedia.join(janus, workerUrl()));
  m.setEpoch(epoch);
  t['joined'] = now();
  await m.publish(stream);
  t['published'] = now();
  await until('publisher connected', () => (m.publisherUp ? true : undefined));
  t['publisherConnected'] = now();
  return m;
}
type Times = Record<string, number>;

/** A publisher only (the SFU bench's): its private_id, for subscriptions in other pages. */
async function publishOnly(janus: CallJanus, epoch: WireEpoch, video: Video) {
  return (await publish(janus, epoch, video, {})).privateId;
}

/**
 * One participant's side of a call: publish, subscribe to the first other publisher, until its first packet
 * and first decoded video frame (SFrame-opened). Returns each step's time.
 */
async function callMedia(janus: CallJanus, epoch: WireEpoch) {
  const t: Times = { start: now() };
  const m = await publish(janus, epoch, { width: 320, height: 240, frameRate: 15 }, t);
  const feed = await until('the other publisher', () =>
    [...m.publishers].find((p) => p !== janus.participantId),
  );
  t['remoteFeed'] = now();
  const sub = await m.subscribe(feed);
  if (!(sub.pc instanceof RTCPeerConnection)) throw new Error(`subscribe refused: ${JSON.stringify(sub)}`);
  const pc = sub.pc;
  t['subscribed'] = now();
  await until('subscriber connected', () => (pc.connectionState === 'connected' ? true : undefined)).catch(
    (e: Error) => {
      throw new Error(`${e.message} (ICE ${pc.iceConnectionState}, connection ${pc.connectionState})`);
    },
  );
  t['subscriberConnected'] = now();
  await until('first packet', async () => ((await inbound(pc)).packets > 0 ? true : undefined));
  t['firstPacket'] = now();
  await until('first frame', async () => ((await inbound(pc)).frames > 0 ? true : undefined)).catch(
    async (e: Error) => {
      // Which side failed: packets without frames that SFrame opened, or frames opened that did not decode.
      throw new Error(
        `${e.message} (${JSON.stringify({ ...(await inbound(pc)), ...(await m.stats()).sframe })})`,
      );
    },
  );
  t['firstFrame'] = now();
  return t;
}

function closeMedia(): void {
  media?.close();
  media = undefined;
}

const subscribers: RTCPeerConnection[] = [];
let session: JanusSession | undefined;
/** Drops every received frame before decoding: the SFU bench measures forwarding, not this page's decoder. */
const DROP = 'onrtctransform = ({ transformer }) => void transformer.readable.pipeTo(new WritableStream());';
let dropUrl: string | undefined;

/** `n` more subscriptions, each one PeerConnection receiving every feed (audio and video) of `feeds`. */
async function addSubscribers(
  o: { url: string; room: number; privateId: number; feeds: number[] },
  n: number,
): Promise<void> {
  session ??= await JanusSession.open(o.url);
  dropUrl ??= URL.createObjectURL(new Blob([DROP], { type: 'text/javascript' }));
  const worker = new Worker(dropUrl);
  for (let i = 0; i < n; i++) {
    const pc = new RTCPeerConnection();
    pc.addEventListener('track', (e) => {
      (e.receiver as unknown as { transform: unknown }).transform = new RTCRtpScriptTransform(worker, {});
    });
    const handle = await session.attach(() => undefined);
    const { data, jsep } = await handle.message({
      request: 'join',
      ptype: 'subscriber',
      room: o.room,
      private_id: o.privateId,
      streams: o.feeds.map((feed) => ({ feed })),
    });
    if (data['videoroom'] !== 'attached' || !jsep) throw new Error(`subscribe: ${JSON.stringify(data)}`);
    await pc.setRemoteDescription({ type: jsep.type, sdp: jsep.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    const answer = (await gathered(pc)) as Jsep;
    const started = await handle.message({ request: 'start' }, { ...answer, e2ee: true });
    if (started.data['error_code']) throw new Error(`start: ${JSON.stringify(started.data)}`);
    subscribers.push(pc);
  }
  await until('subscribers connected', () =>
    subscribers.every((pc) => pc.connectionState === 'connected') ? true : undefined,
  );
}

/** Packets and bytes received so far by this page's subscribers. */
async function received(): Promise<{ packets: number; bytes: number; connected: number }> {
  const all = await Promise.all(subscribers.map(inbound));
  return {
    packets: all.reduce((s, x) => s + x.packets, 0),
    bytes: all.reduce((s, x) => s + x.bytes, 0),
    connected: subscribers.filter((pc) => pc.connectionState === 'connected').length,
  };
}

declare const RTCRtpScriptTransform: new (worker: Worker, options: unknown) => unknown;

Object.assign(globalThis, { bench: { callMedia, publishOnly, closeMedia, addSubscribers, received } });
