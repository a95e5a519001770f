import { MLS_LIMITS } from '@pakawaaz/mls';

const base64url = (bytes: number) => Math.ceil((bytes * 4) / 3);

/**
 * The largest commit a device may send — the commit, the next epoch's GroupInfo and the Welcome of added
 * devices, each at its MLS limit, in base64url, and the JSON around them — over HTTP or as one WebSocket frame.
 * The server's general body limit (1 MiB) would refuse a commit that adds devices to a group of a few hundred
 * members (its GroupInfo and its Welcome both carry the ratchet tree, ~1 KiB a member).
 */
export const CHAT_COMMIT_BODY_BYTES =
  base64url(MLS_LIMITS.maxMessageBytes) +
  base64url(MLS_LIMITS.maxGroupInfoBytes) +
  base64url(MLS_LIMITS.maxWelcomeBytes) +
  4096;

/**
 * The largest message send over HTTP: an MLS message at MLS_LIMITS.maxMessageBytes (256 KiB) in base64url and
 * the JSON around it (a client id of up to 128 characters) — what the socket's `send` frame takes. A larger
 * body is refused, 413 payload_too_large, before any of it is parsed (the server's general limit is 1 MiB).
 */
export const CHAT_SEND_BODY_BYTES = base64url(MLS_LIMITS.maxMessageBytes) + 1024;

/**
 * Chat routes' own body limits, whatever the server's general one (Fastify route paths): each the largest
 * body a valid request has, from the MLS limits.
 */
export const CHAT_BODY_LIMITS: ReadonlyMap<string, number> = new Map([
  ['/api/v1/chat/groups/:groupId/commits', CHAT_COMMIT_BODY_BYTES],
  ['/api/v1/chat/groups/:groupId/messages', CHAT_SEND_BODY_BYTES],
]);
