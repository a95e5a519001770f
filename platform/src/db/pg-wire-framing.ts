/**
 * Splits the byte stream a PostgreSQL client sends (frontend messages, protocol 3.0) into whole messages, so
 * the embedded database's worker can hand PGlite complete messages only and can answer or drop the few that
 * must not reach it. Pure: no I/O.
 *
 * Before the session starts a message has no type byte (Int32 length, Int32 code): StartupMessage, or an
 * SSLRequest/GSSENCRequest/CancelRequest. After it, every message is a type byte and an Int32 length that
 * counts itself but not the type byte.
 */

export type FrontendFrame =
  | { kind: 'startup'; bytes: Buffer }
  | { kind: 'encryption-request' }
  | { kind: 'cancel' }
  | { kind: 'terminate' }
  | { kind: 'message'; type: number; bytes: Buffer };

export class WireProtocolError extends Error {
  override name = 'WireProtocolError';
}

const PROTOCOL_3_0 = 196_608;
const SSL_REQUEST = 80_877_103;
const GSSENC_REQUEST = 80_877_104;
const CANCEL_REQUEST = 80_877_102;
/** PostgreSQL's own bound on a startup packet (MAX_STARTUP_PACKET_LENGTH). */
const MAX_STARTUP_BYTES = 10_000;
/** Far above any statement this code base sends (a SIM import block is ≤ 1 MiB); bounds the worker's memory. */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
const TERMINATE = 0x58; // 'X'

export class FrontendFramer {
  private buffer: Buffer = Buffer.alloc(0);
  private started = false;

  /** Adds bytes from the client; returns the messages completed by them, in order. */
  push(chunk: Uint8Array): FrontendFrame[] {
    const data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    const frames: FrontendFrame[] = [];
    let offset = 0;
    for (;;) {
      const frame = this.started ? this.typed(offset) : this.untyped(offset);
      if (!frame) break;
      offset += frame.length;
      frames.push(frame.frame);
    }
    // Keep a copy of the unfinished tail only: the consumed part may be large and is no longer needed.
    this.buffer = offset === 0 ? this.buffer : Buffer.from(this.buffer.subarray(offset));
    return frames;
  }

  private untyped(offset: number): { frame: FrontendFrame; length: number } | undefined {
    if (this.buffer.length - offset < 8) return undefined;
    const length = this.buffer.readInt32BE(offset);
    const code = this.buffer.readInt32BE(offset + 4);
    if (length < 8 || length > MAX_STARTUP_BYTES)
      throw new WireProtocolError(`startup packet of ${length} bytes`);
    if (this.buffer.length - offset < length) return undefined;
    if (code === SSL_REQUEST || code === GSSENC_REQUEST)
      return { frame: { kind: 'encryption-request' }, length };
    if (code === CANCEL_REQUEST) return { frame: { kind: 'cancel' }, length };
    if (code !== PROTOCOL_3_0)
      throw new WireProtocolError(`unsupported protocol ${code >>> 16}.${code & 0xffff}`);
    this.started = true;
    return { frame: { kind: 'startup', bytes: this.buffer.subarray(offset, offset + length) }, length };
  }

  private typed(offset: number): { frame: FrontendFrame; length: number } | undefined {
    if (this.buffer.length - offset < 5) return undefined;
    const type = this.buffer[offset]!;
    const length = this.buffer.readInt32BE(offset + 1);
    if (length < 4 || length > MAX_MESSAGE_BYTES)
      throw new WireProtocolError(`message of ${length} bytes (at most ${MAX_MESSAGE_BYTES})`);
    if (this.buffer.length - offset < length + 1) return undefined;
    if (type === TERMINATE) return { frame: { kind: 'terminate' }, length: length + 1 };
    return {
      frame: { kind: 'message', type, bytes: this.buffer.subarray(offset, offset + length + 1) },
      length: length + 1,
    };
  }
}
