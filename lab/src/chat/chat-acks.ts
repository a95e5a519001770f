/**
 * When a socket's deliveries are acknowledged (pure: ChatClient does the I/O). `ack upTo` is cumulative, and
 * each frame costs the server a TLS read: the deliver frames applied while others waited share one ack, sent
 * when none is left waiting or every `every` frames. It covers only what was persisted with the state that
 * applied it (the caller's saved seq), so a crash before the save is redelivered, never lost.
 */
export class SocketAcks {
  /** Deliver frames received and not yet applied, and those applied since the last ack. */
  private waiting = 0;
  private unacked = 0;
  /** The seq last acknowledged on this socket. */
  private acked = 0;

  constructor(private readonly every = 32) {}

  /** A new socket: its first ack goes out whatever the last one heard. */
  reset(): void {
    this.acked = 0;
  }

  /** A deliver frame arrived (it will be applied in turn). */
  received(): void {
    this.waiting++;
  }

  /** A received frame was applied, or failed to; the seq to acknowledge now, or null to wait. */
  applied(savedSeq: number): number | null {
    this.unacked++;
    if (--this.waiting > 0 && this.unacked < this.every) return null;
    this.unacked = 0;
    if (savedSeq <= this.acked) return null;
    this.acked = savedSeq;
    return savedSeq;
  }

  /** An ack went out another way (after a sync): later ones start from it. */
  sent(upTo: number): void {
    this.acked = Math.max(this.acked, upTo);
  }
}
