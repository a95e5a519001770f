import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signWebhook, verifyWebhook, webhookHeaders } from './standard-webhooks.js';

// The Standard Webhooks specification's published example (also the Svix reference libraries' sign test).
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const headersOf = (signature: string, timestamp = SPEC.timestamp, id = SPEC.id) => ({
  'webhook-id': id,
  'webhook-timestamp': String(timestamp),
  'webhook-signature': signature,
});

describe('Standard Webhooks signatures', () => {
  it('reproduces the specification’s example signature', () => {
    expect(signWebhook(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature);
    expect(signWebhook(SPEC.secret, SPEC.id, SPEC.timestamp, Buffer.from(SPEC.body))).toBe(SPEC.signature);
    // The `whsec_` prefix is optional, as in the reference libraries.
    expect(signWebhook(SPEC.secret.slice(6), SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature);
  });

  it('verifies the example, also among other signatures (a rotating secret), within the tolerance', () => {
    expect(verifyWebhook(SPEC.secret, headersOf(SPEC.signature), SPEC.body, SPEC.timestamp)).toEqual({
      ok: true,
      id: SPEC.id,
      timestamp: SPEC.timestamp,
    });
    const many = `v1,bm9wZQ== v2,abc ${SPEC.signature}`;
    expect(verifyWebhook(SPEC.secret, headersOf(many), SPEC.body, SPEC.timestamp + 299).ok).toBe(true);
  });

  it('refuses a changed body, id or timestamp, another secret, and other versions', () => {
    const now = SPEC.timestamp;
    const refused = (h: Record<string, string>, body = SPEC.body, secret = SPEC.secret) =>
      verifyWebhook(secret, h, body, now);
    expect(refused(headersOf(SPEC.signature), '{"test": 2432232315}')).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(refused(headersOf(SPEC.signature, SPEC.timestamp, 'msg_other')).ok).toBe(false);
    expect(refused(headersOf(SPEC.signature), SPEC.body, newWebhookSecret()).ok).toBe(false);
    expect(refused(headersOf(`v2,${SPEC.signature.slice(3)}`)).ok).toBe(false);
    expect(refused({ 'webhook-id': SPEC.id })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(refused(headersOf(SPEC.signature, Number.NaN))).toEqual({ ok: false, reason: 'bad_timestamp' });
  });

  it('refuses a timestamp outside the replay window, even correctly signed', () => {
    const old = webhookHeaders(SPEC.secret, SPEC.id, SPEC.timestamp - 301, SPEC.body);
    expect(verifyWebhook(SPEC.secret, old, SPEC.body, SPEC.timestamp)).toEqual({
      ok: false,
      reason: 'too_old',
    });
    const future = webhookHeaders(SPEC.secret, SPEC.id, SPEC.timestamp + 301, SPEC.body);
    expect(verifyWebhook(SPEC.secret, future, SPEC.body, SPEC.timestamp)).toEqual({
      ok: false,
      reason: 'too_new',
    });
  });

  it('signs with each of several secrets (a rotation), space-separated, the spec’s example among them', () => {
    const other = newWebhookSecret();
    const h = webhookHeaders([other, SPEC.secret], SPEC.id, SPEC.timestamp, SPEC.body);
    const [first, second] = h['webhook-signature'].split(' ');
    expect(second).toBe(SPEC.signature);
    expect(first).toBe(signWebhook(other, SPEC.id, SPEC.timestamp, SPEC.body));
    expect(h['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=* v1,[A-Za-z0-9+/]+=*$/);
    for (const secret of [other, SPEC.secret])
      expect(verifyWebhook(secret, h, SPEC.body, SPEC.timestamp).ok).toBe(true);
    expect(webhookHeaders(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body)['webhook-signature']).toBe(
      SPEC.signature,
    );
  });

  it('makes secrets in the whsec_ form, each a fresh 24-byte key', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(newWebhookSecret()).not.toBe(a);
  });
});
