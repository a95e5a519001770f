import {
  decodeErrorCode,
  decodeText,
  decodeXorAddress,
  encodeLifetime,
  printable,
  encodeText,
  requestedTransportUdp,
} from './stun-attributes.js';
import {
  Attr,
  attribute,
  encodeStun,
  integrityValid,
  longTermKey,
  StunMethod,
  type StunAttribute,
} from './stun-message.js';
import type { StunClient, StunReply } from './stun-udp.js';

/**
 * One check of a TURN server over UDP: a STUN Binding (does it answer at all, with a well-formed
 * XOR-MAPPED-ADDRESS), then, with credentials, a TURN Allocate under the long-term credential mechanism
 * (RFC 8656 §7.2, RFC 8489 §9.2): the first Allocate is refused 401 with REALM and NONCE, the second carries
 * USERNAME, REALM, NONCE and MESSAGE-INTEGRITY. A relayed address proves the server takes our REST
 * credentials (a wrong shared secret is 401 again); the allocation is released at once (Refresh, LIFETIME 0).
 *
 * `up`: Binding and Allocate answered; `degraded`: it answers Binding but refuses or fails the Allocate
 * (clients cannot relay through it); `down`: no well-formed Binding answer.
 */
export type ProbeResult = {
  health: 'up' | 'degraded' | 'down';
  /** The Binding's round trip. */
  rttMs: number | null;
  /** Why it is not up, in plain words. */
  error: string | null;
};

export type ProbeCredentials = { username: string; password: string };

const MAX_TEXT = 763;

export async function probeTurn(
  client: StunClient,
  credentials: ProbeCredentials | null,
  timeoutMs: number,
): Promise<ProbeResult> {
  let binding: StunReply;
  try {
    binding = await client.request(
      (transactionId) =>
        encodeStun({ method: StunMethod.binding, cls: 'request', transactionId, attributes: [] }),
      timeoutMs,
    );
  } catch (err) {
    return down(`no STUN answer: ${(err as Error).message}`);
  }
  const m = binding.message;
  if (m.method !== StunMethod.binding || m.cls !== 'success')
    return down(`the Binding request was answered ${describe(binding)}`);
  const mapped = attribute(binding.message, Attr.xorMappedAddress);
  if (!mapped) return down('the Binding response carries no XOR-MAPPED-ADDRESS');
  try {
    decodeXorAddress(mapped, binding.message.transactionId);
  } catch (err) {
    return down(`the Binding response's XOR-MAPPED-ADDRESS is malformed: ${(err as Error).message}`);
  }
  const rttMs = binding.rttMs;
  if (!credentials) return { health: 'up', rttMs, error: null };
  try {
    return { rttMs, ...(await allocate(client, credentials, timeoutMs)) };
  } catch (err) {
    return { health: 'degraded', rttMs, error: `TURN Allocate failed: ${(err as Error).message}` };
  }
}

async function allocate(
  client: StunClient,
  c: ProbeCredentials,
  timeoutMs: number,
): Promise<Omit<ProbeResult, 'rttMs'>> {
  const transport: StunAttribute = { type: Attr.requestedTransport, value: requestedTransportUdp() };
  const first = await client.request(
    (transactionId) =>
      encodeStun({ method: StunMethod.allocate, cls: 'request', transactionId, attributes: [transport] }),
    timeoutMs,
  );
  if (first.message.cls === 'success' && first.message.method === StunMethod.allocate) {
    // A server that relays without authentication: it works, though anyone may use it.
    await release(client, [], undefined, timeoutMs);
    return { health: 'up', error: null };
  }
  let challenge = first;
  for (let attempt = 0; attempt < 2; attempt++) {
    const code = errorOf(challenge);
    if (code !== 401 && code !== 438)
      return degraded(`the first Allocate was answered ${describe(challenge)}`);
    const realmRaw = attribute(challenge.message, Attr.realm);
    const nonceRaw = attribute(challenge.message, Attr.nonce);
    if (!realmRaw || !nonceRaw) return degraded('the 401 challenge carries no REALM or NONCE');
    const realm = decodeText(realmRaw, MAX_TEXT);
    const auth: StunAttribute[] = [
      { type: Attr.username, value: encodeText(c.username) },
      { type: Attr.realm, value: realmRaw },
      { type: Attr.nonce, value: nonceRaw },
    ];
    const key = longTermKey(c.username, realm, c.password);
    const reply = await client.request(
      (transactionId) =>
        encodeStun(
          { method: StunMethod.allocate, cls: 'request', transactionId, attributes: [transport, ...auth] },
          { integrityKey: key },
        ),
      timeoutMs,
    );
    if (reply.message.cls === 'success' && reply.message.method === StunMethod.allocate) {
      // Whatever is wrong with the success, the server may hold an allocation for us: free it.
      await release(client, auth, key, timeoutMs);
      if (!integrityValid(reply.raw, reply.message, key))
        return degraded('the Allocate response does not carry our MESSAGE-INTEGRITY');
      if (!attribute(reply.message, Attr.xorRelayedAddress))
        return degraded('the Allocate response carries no relayed address');
      return { health: 'up', error: null };
    }
    const again = errorOf(reply);
    // 438 Stale Nonce: once more with the new nonce; anything else is the answer.
    if (again === 438 && attempt === 0) {
      challenge = reply;
      continue;
    }
    if (again === 401)
      return degraded(
        'TURN refused our credentials (401): its static-auth-secret differs from PAKAWAAZ_TURN_SECRET_FILE, or its clock is off',
      );
    return degraded(`the authenticated Allocate was answered ${describe(reply)}`);
  }
  return degraded('the nonce went stale twice');
}

/** Frees the probe's allocation (Refresh with LIFETIME 0, RFC 8656 §7.3); a lost answer only leaves it to expire. */
async function release(
  client: StunClient,
  auth: StunAttribute[],
  key: Buffer | undefined,
  timeoutMs: number,
): Promise<void> {
  await client
    .request(
      (transactionId) =>
        encodeStun(
          {
            method: StunMethod.refresh,
            cls: 'request',
            transactionId,
            attributes: [{ type: Attr.lifetime, value: encodeLifetime(0) }, ...auth],
          },
          key ? { integrityKey: key } : {},
        ),
      timeoutMs,
    )
    .catch(() => undefined);
}

const down = (error: string): ProbeResult => ({ health: 'down', rttMs: null, error });
const degraded = (error: string) => ({ health: 'degraded' as const, error });

/** The error response's code; null for anything else, a malformed ERROR-CODE included (describe says which). */
function errorOf(r: StunReply): number | null {
  if (r.message.cls !== 'error') return null;
  const v = attribute(r.message, Attr.errorCode);
  try {
    return v ? decodeErrorCode(v).code : null;
  } catch {
    return null;
  }
}

/** An unexpected answer in plain words; never throws, and the server's reason phrase is made printable. */
function describe(r: StunReply): string {
  if (r.message.cls !== 'error') return `with a ${r.message.cls} of method ${r.message.method}`;
  const v = attribute(r.message, Attr.errorCode);
  if (!v) return 'with an error without ERROR-CODE';
  try {
    const e = decodeErrorCode(v);
    return `with error ${e.code} ${printable(e.reason, 100)}`.trim();
  } catch (err) {
    return `with a malformed ERROR-CODE (${(err as Error).message})`;
  }
}
