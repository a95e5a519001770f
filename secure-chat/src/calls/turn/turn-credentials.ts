import { createHmac } from 'node:crypto';

/**
 * TURN REST API credentials (draft-uberti-behave-turn-rest-00 §2.2; coturn's `use-auth-secret` /
 * `static-auth-secret`): the username is `<expiry unix seconds>:<id>`, the password the base64 of
 * HMAC-SHA1(shared secret, username). coturn recomputes the password from the username and refuses a
 * username whose expiry has passed, so nothing is stored and nothing static is ever handed out.
 */
export type TurnCredentials = {
  urls: string[];
  username: string;
  credential: string;
  /** When the username stops being accepted (ISO). */
  expiresAt: string;
  ttlSeconds: number;
};

export function turnCredentials(input: {
  secret: string;
  urls: string[];
  /** Who the allocation is for (the device): coturn logs it, so TURN usage can be told apart per device. */
  id: string;
  ttlSeconds: number;
  nowMs: number;
}): TurnCredentials {
  const expiry = Math.floor(input.nowMs / 1000) + input.ttlSeconds;
  const username = `${expiry}:${input.id}`;
  return {
    urls: input.urls,
    username,
    credential: createHmac('sha1', input.secret).update(username, 'utf8').digest('base64'),
    expiresAt: new Date(expiry * 1000).toISOString(),
    ttlSeconds: input.ttlSeconds,
  };
}
