import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * Standard Webhooks (https://www.standardwebhooks.com, the spec Svix's libraries implement): the sender signs
 * `${webhook-id}.${webhook-timestamp}.${body}` with HMAC-SHA256 under a secret shown as `whsec_<base64>`, and
 * sends `webhook-signature: v1,<base64 MAC>` (space-separated, one per key while a secret rotates). Pure: the
 * server's bot webhooks sign with it, and lab's bot helper verifies with it, so one implementation of the
 * format is tested against the spec's published vector.
 */

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** How far a timestamp may be from the receiver's clock (the spec's reference libraries: 5 minutes). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;
const MAX_SIGNATURE_HEADER = 4096;

/** A new secret (24 random bytes, the reference libraries' size), in the `whsec_` form. */
export const newWebhookSecret = (): string => `${WEBHOOK_SECRET_PREFIX}${randomBytes(24).toString('base64')}`;

/** The key of a `whsec_<base64>` secret (the prefix is optional, as in the reference libraries). */
export function webhookKey(secret: string): Buffer {
  const b64 = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret;
  const key = Buffer.from(b64, 'base64');
  if (key.length === 0) throw new Error('the webhook secret is not base64');
  return key;
}

/** `v1,<base64 HMAC-SHA256(key, id.timestamp.body)>`. */
export function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string | Uint8Array,
): string {
  const mac = createHmac('sha256', webhookKey(secret))
    .update(`${id}.${timestampSeconds}.`)
    .update(body)
    .digest('base64');
  return `v1,${mac}`;
}

/**
 * The three headers of a signed delivery. Several secrets (while one rotates: the new and the old) give one
 * signature each, space-separated in `webhook-signature` as the spec lays out (`v1,<a> v1,<b>`): a receiver
 * still on the old secret and one already on the new both find theirs.
 */
export function webhookHeaders(
  secret: string | readonly string[],
  id: string,
  timestampSeconds: number,
  body: string | Uint8Array,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': (typeof secret === 'string' ? [secret] : secret)
      .map((s) => signWebhook(s, id, timestampSeconds, body))
      .join(' '),
  };
}

export type WebhookVerdict =
  | { ok: true; id: string; timestamp: number }
  | { ok: false; reason: 'missing_headers' | 'bad_timestamp' | 'too_old' | 'too_new' | 'bad_signature' };

/**
 * Checks a delivery: all three headers, a whole-second timestamp within `toleranceSeconds` of `nowSeconds`
 * (replay window), and one `v1` signature equal (in constant time) to ours over the raw body.
 */
export function verifyWebhook(
  secret: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: string | Uint8Array,
  nowSeconds: number,
  toleranceSeconds = WEBHOOK_TOLERANCE_SECONDS,
): WebhookVerdict {
  const one = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = one('webhook-id');
  const ts = one('webhook-timestamp');
  const signatures = one('webhook-signature');
  if (!id || !ts || !signatures || signatures.length > MAX_SIGNATURE_HEADER)
    return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'bad_timestamp' };
  const timestamp = Number(ts);
  if (timestamp < nowSeconds - toleranceSeconds) return { ok: false, reason: 'too_old' };
  if (timestamp > nowSeconds + toleranceSeconds) return { ok: false, reason: 'too_new' };
  const expected = Buffer.from(signWebhook(secret, id, timestamp, body).slice(3), 'base64');
  const match = signatures.split(' ').some((s) => {
    const [version, mac] = s.split(',', 2);
    if (version !== 'v1' || !mac) return false;
    const given = Buffer.from(mac, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return match ? { ok: true, id, timestamp } : { ok: false, reason: 'bad_signature' };
}
