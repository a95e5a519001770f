import { timingSafeEqual } from 'node:crypto';

/**
 * The Class attribute Pakawaaz puts in an Access-Accept (RFC 2865 §5.25): the NAS copies it into every
 * accounting record of the session, which is how usage is metered per official and IMSI without trusting
 * the User-Name a NAS reports. A NAS could just as well invent one, so the Class is MACed with identity's
 * key (the key service's `identity-secrets` MAC key) and bound to the NAS that authenticated the session and
 * to the time of the Accept: a forged or edited Class, one replayed through another NAS, or one older than a
 * session can live is refused.
 *
 * Text, at most 253 bytes: `pkz2;u=<user id>[;inst=<institution id>][;imsi=<IMSI>];c=<RADIUS client id>;
 * t=<unix seconds>;m=<base64url of the first 16 bytes of HMAC-SHA-256 over everything before ";m=">`.
 * Earlier builds sent `pkz1;…` without a MAC: such Classes are refused (`legacy`), see verifyClass.
 */
export type ClassInfo = { userId: string; institutionId: string | null; imsi: string | null };
export type BoundClass = ClassInfo & { clientId: string; issuedAt: number };

/** HMAC-SHA-256 under the server's key, over the Class text (domain separation is the caller's). */
export type ClassMac = (text: Buffer) => Promise<Buffer>;

export type ClassRefusal = 'legacy' | 'malformed' | 'bad_mac' | 'other_nas' | 'expired';
export type ClassCheck = { ok: true; info: BoundClass } | { ok: false; reason: ClassRefusal };

const PREFIX = 'pkz2;';
const LEGACY_PREFIX = 'pkz1;';
const TAG_BYTES = 16;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IMSI = /^\d{6,15}$/;
const FIELDS = ['u', 'inst', 'imsi', 'c', 't'] as const;
/** A NAS's clock and ours may disagree a little; an Accept is never from the future beyond that. */
const CLOCK_SKEW_SECONDS = 300;

/** Whether a Class value is ours (signed or legacy) rather than another server's. */
export function isPakawaazClass(value: Buffer): boolean {
  const head = value.subarray(0, PREFIX.length).toString('latin1');
  return head === PREFIX || head === LEGACY_PREFIX;
}

export async function signClass(info: BoundClass, mac: ClassMac): Promise<Buffer> {
  const body =
    PREFIX +
    [
      `u=${info.userId}`,
      ...(info.institutionId ? [`inst=${info.institutionId}`] : []),
      ...(info.imsi ? [`imsi=${info.imsi}`] : []),
      `c=${info.clientId}`,
      `t=${info.issuedAt}`,
    ].join(';');
  const tag = (await mac(Buffer.from(body, 'latin1'))).subarray(0, TAG_BYTES).toString('base64url');
  return Buffer.from(`${body};m=${tag}`, 'latin1');
}

/**
 * Checks a Class from an accounting record sent by `clientId`: the MAC first (nothing unauthenticated is
 * parsed further), then the NAS binding and the age (`maxAgeSeconds`: the longest session plus the delay a
 * NAS may take to send its Stop).
 */
export async function verifyClass(
  value: Buffer,
  expect: { clientId: string; nowSeconds: number; maxAgeSeconds: number; mac: ClassMac },
): Promise<ClassCheck> {
  const text = value.toString('latin1');
  if (text.startsWith(LEGACY_PREFIX)) return { ok: false, reason: 'legacy' };
  const at = text.lastIndexOf(';m=');
  if (!text.startsWith(PREFIX) || value.length > 253 || at < 0) return { ok: false, reason: 'malformed' };
  const body = text.slice(0, at);
  const tag = Buffer.from(text.slice(at + 3), 'base64url');
  const expected = (await expect.mac(Buffer.from(body, 'latin1'))).subarray(0, TAG_BYTES);
  if (tag.length !== TAG_BYTES || !timingSafeEqual(tag, expected)) return { ok: false, reason: 'bad_mac' };
  const info = parse(body.slice(PREFIX.length));
  if (!info) return { ok: false, reason: 'malformed' };
  if (info.clientId.toLowerCase() !== expect.clientId.toLowerCase())
    return { ok: false, reason: 'other_nas' };
  const age = expect.nowSeconds - info.issuedAt;
  if (age > expect.maxAgeSeconds || age < -CLOCK_SKEW_SECONDS) return { ok: false, reason: 'expired' };
  return { ok: true, info };
}

function parse(fields: string): BoundClass | null {
  const map = new Map<string, string>();
  for (const kv of fields.split(';')) {
    const eq = kv.indexOf('=');
    const key = kv.slice(0, eq);
    if (eq < 1 || map.has(key) || !(FIELDS as readonly string[]).includes(key)) return null;
    map.set(key, kv.slice(eq + 1));
  }
  const userId = map.get('u');
  const clientId = map.get('c');
  const inst = map.get('inst') ?? null;
  const imsi = map.get('imsi') ?? null;
  const t = map.get('t');
  if (!userId || !UUID.test(userId) || !clientId || !UUID.test(clientId)) return null;
  if ((inst !== null && !UUID.test(inst)) || (imsi !== null && !IMSI.test(imsi))) return null;
  if (!t || !/^\d{1,12}$/.test(t)) return null;
  return { userId, institutionId: inst, imsi, clientId, issuedAt: Number(t) };
}
