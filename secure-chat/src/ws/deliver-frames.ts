import type { QueuedEnvelope } from '../chat-ports.js';
import { envelopeBytes } from '../delivery/envelope-bytes.js';
import type { ServerFrame } from './frames.js';

export { envelopeBytes } from '../delivery/envelope-bytes.js';

/**
 * Most bytes of JSON text in one `deliver` frame, unless its one envelope alone is larger: a frame holds at
 * least one envelope. The largest envelope, a Welcome of MLS_LIMITS.maxWelcomeBytes (1 MiB), is 1,398,102
 * base64url characters, so the largest `deliver` frame is under 1.4 MB — below the SDK's 2 MiB max payload
 * (a frame over a client's limit closes its socket, 1009, and it would be sent the same frame again).
 */
export const DELIVER_FRAME_BYTES = 1024 * 1024;

/** `{"type":"deliver","envelopes":[` and `]}`. */
const FRAME_CHARS = 32;
/** The bytes of envelopes a `deliver` frame holds: the socket reads the queue by this many (INBOX_BYTES). */
export const DELIVER_ENVELOPE_BYTES = DELIVER_FRAME_BYTES - FRAME_CHARS;

/** The end of the frame that starts at `start`: the envelopes that fit `budget` bytes (at least one). */
export function frameEnd(
  envelopes: readonly QueuedEnvelope[],
  start = 0,
  budget = DELIVER_FRAME_BYTES,
): number {
  let bytes = FRAME_CHARS;
  let n = start;
  while (n < envelopes.length) {
    bytes += envelopeBytes(envelopes[n]!);
    if (n > start && bytes > budget) break;
    n++;
  }
  return n;
}

/**
 * The frames to write: consecutive `deliver` frames merged (their envelopes in order) and the merged run cut
 * into frames of at most `budget` bytes each (a lone larger envelope is a frame of its own); other frames as
 * they are, where they were.
 */
export function mergeDeliveries(frames: readonly ServerFrame[], budget = DELIVER_FRAME_BYTES): ServerFrame[] {
  const out: ServerFrame[] = [];
  let run: QueuedEnvelope[] = [];
  let runs = 0;
  const cut = () => {
    if (runs === 1 && frameEnd(run, 0, budget) === run.length) out.push({ type: 'deliver', envelopes: run });
    else
      for (let at = 0; at < run.length;) {
        const end = frameEnd(run, at, budget);
        out.push({ type: 'deliver', envelopes: run.slice(at, end) });
        at = end;
      }
    run = [];
    runs = 0;
  };
  for (const f of frames) {
    if (f.type !== 'deliver') {
      cut();
      out.push(f);
    } else if (runs++ === 0) run = f.envelopes;
    else {
      if (runs === 2) run = [...run];
      for (const e of f.envelopes) run.push(e);
    }
  }
  cut();
  return out;
}
