import { startPushClient, type PushClient } from './push-client.js';

/** What waking needs of a handset. */
export type Wakeable = {
  checkIn(): Promise<unknown>;
  readonly pendingAcknowledgements: readonly unknown[];
  readonly state: { retired: boolean };
};

/**
 * Check-ins on demand, one at a time: a wake during a check-in runs one more after it (a push that arrived
 * meanwhile may be for a command queued after that check-in read its queue), and a check-in that obeyed
 * commands is followed at once by one carrying their acknowledgements, rather than at the next interval.
 */
export class CheckInWaker {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly h: Wakeable) {}

  wake(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          if (this.h.state.retired) return;
          await this.h.checkIn();
          if (this.h.pendingAcknowledgements.length > 0 && !this.h.state.retired) await this.h.checkIn();
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }
}

export type PushTls = { certPem: string; keyPem: string; caPem: string };

/** After a woken check-in: `onError` with what failed, else `onWoken` (e.g. to save the handset's state). */
export type WakeHooks = { onError?: (err: unknown) => void; onWoken?: () => void };

/**
 * The handset's MQTT push connection: a push, and every (re)connect (pushes sent while it was away are lost),
 * wake it. Reconnected with a renewed certificate, since the broker drops a superseded one's connection.
 */
export class PushLink {
  private client: PushClient | null = null;
  private target: { url: string; deviceId: string; hooks: WakeHooks } | null = null;

  constructor(private readonly wake: () => Promise<void>) {}

  connect(url: string, deviceId: string, tls: PushTls, hooks: WakeHooks = {}): void {
    this.close();
    this.target = { url, deviceId, hooks };
    const wake = () =>
      void this.wake().then(
        () => hooks.onWoken?.(),
        (err: unknown) => hooks.onError?.(err),
      );
    this.client = startPushClient({ url, deviceId, tls, onPush: wake, onConnect: wake });
  }

  /** A new certificate: connect again with it (no-op when push is not on). */
  renewed(tls: PushTls): void {
    const t = this.target;
    if (this.client && t) this.connect(t.url, t.deviceId, tls, t.hooks);
  }

  get connected(): boolean {
    return this.client?.connected() ?? false;
  }

  close(): void {
    void this.client?.close();
    this.client = null;
  }
}
