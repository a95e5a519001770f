import type { ClientTls } from '@pakawaaz/handset-simulator';
import type { CallSignal } from './chat-calls.js';
import type { ChatSnapshot } from './chat-snapshot.js';
import type { ChatEvent } from './chat-types.js';
import type { DesktopIdentity } from './desktop-device.js';

/** How a ChatClient (chat-client.ts) reaches the server, keeps its state and tells the application. */
export type ChatClientOptions = {
  /** https://host:devicePort of the server's device edge. */
  baseUrl: string;
  /** The device certificate and key (the enrolment's), and the device CA: TLS and MLS trust anchor both. */
  tls: ClientTls;
  /** What `persist` saved last time, to continue after a restart. */
  saved?: { core: ChatSnapshot; seq: number };
  persist?: (s: { core: ChatSnapshot; seq: number }) => void | Promise<void>;
  onEvent?: (e: ChatEvent) => void;
  /** Call signals (ring, accepted, answered elsewhere, missed, ended …): see `calls`. */
  onCallSignal?: (s: CallSignal) => void;
  /** Commit the server's Remove proposals when they arrive (default true). */
  autoCommit?: boolean;
  /**
   * A desktop device (an official's browser) on the main port: DPoP proofs by its WebCrypto key and the
   * official's access token instead of mutual TLS; `tls.keyPem` is unused then.
   */
  desktop?: { identity: DesktopIdentity; accessToken: () => string };
  /**
   * A reconnect failed before its socket was opened (a desktop's DPoP proof could not be built): it is tried
   * again with the backoff. For the application to show; the first connection's failure rejects start().
   */
  onReconnectError?: (e: Error) => void;
  /**
   * The server closed this socket for a newer one of the same device (4409: it keeps two a device, a third
   * closes the oldest — another tab or window of the same browser profile, say). The client does not reconnect
   * (it would close the next socket in turn); start() again to take the device's delivery back here.
   */
  onReplaced?: () => void;
};
