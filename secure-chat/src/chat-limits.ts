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

/** Routes whose body may exceed the server's general limit, and their own limit (Fastify route paths). */
export const CHAT_BODY_LIMITS: ReadonlyMap<string, number> = new Map([
  ['/api/v1/chat/groups/:groupId/commits', CHAT_COMMIT_BODY_BYTES],
]);
