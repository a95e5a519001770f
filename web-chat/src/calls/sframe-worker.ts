// The media worker: SFrame (RFC 9605) on every encoded frame a call sends or receives, through
// RTCRtpScriptTransform. Its key ring is fed the MLS epochs by the page (`{type: 'epoch'}`); a frame that does
// not decrypt is dropped, so a participant without the epoch's key decodes nothing.
//
// A frame's first bytes stay in clear and are SFrame metadata (authenticated, not encrypted): the receiving
// browser's depacketizer reads them to tell key frames (VP8: 10 bytes of a key frame, 3 of a delta frame; audio 1).
import { SFrameKeyRing, type SFrameEpoch } from '../../../lab/src/calls/sframe-keyring.ts';

type EncodedFrame = { data: ArrayBuffer; type?: 'key' | 'delta' | 'empty' };
type Transformer = {
  readable: ReadableStream<EncodedFrame>;
  writable: WritableStream<EncodedFrame>;
  options?: { side?: 'send' | 'recv' };
};
/** The page's epochs: plain data (bigint and bytes as strings and arrays survive any channel). */
export type WireEpoch = Omit<SFrameEpoch, 'epoch' | 'baseKey'> & { epoch: string; baseKey: number[] };
export type WorkerMessage = { type: 'epoch'; epoch: WireEpoch } | { type: 'clear' } | { type: 'stats' };

const ring = new SFrameKeyRing({ graceMs: 10_000 });
const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<WorkerMessage>) => void) | null;
  onrtctransform: ((e: { transformer: Transformer }) => void) | null;
  postMessage(m: unknown): void;
};

const clearBytes = (f: EncodedFrame) => (f.type === 'key' ? 10 : f.type === 'delta' ? 3 : 1);

async function seal(frame: EncodedFrame, out: TransformStreamDefaultController<EncodedFrame>) {
  if (ring.epoch === null) return; // nothing leaves in clear before the first key
  const data = new Uint8Array(frame.data);
  const n = Math.min(clearBytes(frame), data.length);
  const sealed = await ring.encrypt(data.subarray(n), data.subarray(0, n));
  const buf = new Uint8Array(n + sealed.length);
  buf.set(data.subarray(0, n));
  buf.set(sealed, n);
  frame.data = buf.buffer;
  out.enqueue(frame);
}

async function open(frame: EncodedFrame, out: TransformStreamDefaultController<EncodedFrame>) {
  const data = new Uint8Array(frame.data);
  const n = Math.min(clearBytes(frame), data.length);
  const plain = await ring.decrypt(data.subarray(n), data.subarray(0, n));
  if (!plain) return;
  const buf = new Uint8Array(n + plain.length);
  buf.set(data.subarray(0, n));
  buf.set(plain, n);
  frame.data = buf.buffer;
  out.enqueue(frame);
}

scope.onrtctransform = ({ transformer }) => {
  const side = transformer.options?.side ?? 'recv';
  const step = side === 'send' ? seal : open;
  void transformer.readable
    .pipeThrough(new TransformStream<EncodedFrame, EncodedFrame>({ transform: step }))
    .pipeTo(transformer.writable)
    .catch(() => undefined);
};

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'epoch')
    void ring.setEpoch({
      ...m.epoch,
      epoch: BigInt(m.epoch.epoch),
      baseKey: Uint8Array.from(m.epoch.baseKey),
    });
  else if (m.type === 'clear') ring.clear();
  else scope.postMessage({ type: 'stats', stats: { ...ring.stats } });
};
