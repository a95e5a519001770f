import type { DevicePrincipal } from '@pakawaaz/platform';
import type { CallClientFrame, CallSignalFrame } from './ws/frames.js';

/**
 * Seams of the secure-chat domain: what it needs from identity (who an official is, whom a device's official
 * may see), the server's external-sender key, and how queued envelopes wake devices. Bound in SecureChatModule.
 */

/** An official as chat needs it: an active official by username or id, and their institution. */
export type ChatOfficial = {
  readonly userId: string;
  readonly institutionId: string | null;
  readonly active: boolean;
};

export type ChatDirectory = {
  find(ref: string): Promise<ChatOfficial | null>;
  /**
   * Whether an official of `viewerInstitutionId` may see officials of `targetInstitutionId` in the directory
   * (identity's directory visibility). A viewer of no institution is national and sees everyone.
   */
  maySee(viewerInstitutionId: string | null, targetInstitutionId: string | null): Promise<boolean>;
};
export const CHAT_DIRECTORY = Symbol.for('pakawaaz.secure-chat.ChatDirectory');

/**
 * The server's MLS external sender (RFC 9420 §12.1.8.1): its P-256 signature key (uncompressed point), and
 * ES256 signatures by the key service (r ‖ s; the private half never leaves the file or the HSM).
 */
export type ChatExternalSender = {
  readonly signatureKey: Uint8Array;
  signEs256(data: Uint8Array): Promise<Uint8Array>;
};
export const CHAT_EXTERNAL_SENDER = Symbol.for('pakawaaz.secure-chat.ExternalSender');

/** An envelope in a device's queue, as delivered (the `deliver` frame, GET inbox). */
export type QueuedEnvelope = {
  seq: number;
  groupId: string;
  senderDevice: string | null;
  kind: string;
  /** The MLS message, base64url. */
  body: string;
  /** When it was queued (ISO 8601). */
  at: string;
};

/** An envelope just queued for a device, with the seq its queue gave it (committed). */
export type HandedEnvelope = { readonly deviceId: string; readonly envelope: QueuedEnvelope };

/** Wakes devices whose queue grew, and tells a device its KeyPackages run low. Best effort. */
export type ChatWake = {
  queued(deviceIds: readonly string[]): void;
  /**
   * Like `queued`, with the envelopes themselves (committed, in seq order per device): a socket here whose
   * next seq is the first of them sends them without reading its queue; any other wakes and reads.
   */
  handOff?(handed: readonly HandedEnvelope[]): void;
  keyPackagesLow(deviceId: string, left: number): void;
  /** The device is removed from chat: its sockets close now. */
  removed(deviceId: string): void;
};
export const CHAT_WAKE = Symbol.for('pakawaaz.secure-chat.ChatWake');

/**
 * Call signalling over the chat socket (bound by the calls module when calls are configured): a device's
 * `call-*` frame (its reply's result), and the rings pending for a device that just connected.
 */
export type CallSignalling = {
  frame(device: DevicePrincipal, frame: CallClientFrame): Promise<unknown>;
  ringing(device: DevicePrincipal): Promise<CallSignalFrame[]>;
};
export const CALL_SIGNALLING = Symbol.for('pakawaaz.secure-chat.CallSignalling');
