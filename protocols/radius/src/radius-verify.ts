import {
  computeAccountingRequestAuthenticator,
  computeMessageAuthenticator,
  digestsEqual,
  validUserPasswordSize,
  ZERO_AUTHENTICATOR,
} from './radius-crypto.js';
import { attributeNumber, specOfNumber } from './radius-dictionary.js';
import {
  radiusDrop,
  type RadiusCode,
  type RadiusDrop,
  type RadiusPacket,
  type RadiusRawAttribute,
} from './radius-packet.js';

/**
 * Authentication of requests from a known client, with the Blast-RADIUS (CVE-2024-3596) mitigation:
 * every Access-Request must carry exactly one valid Message-Authenticator, PAP included, because the
 * attack forges an Access-Accept by an MD5 chosen-prefix collision on a request that has none. Failures
 * are silent drops (RFC 3579 §3.2): an unauthenticated sender learns nothing.
 */

export type RadiusRequestCode = Extract<
  RadiusCode,
  'Access-Request' | 'Accounting-Request' | 'Status-Server'
>;

/** RFC 2865 only says Proxy-State may repeat; five proxies deep is already an unusual topology. */
export const RADIUS_MAX_PROXY_STATES = 5;

export type VerifiedRequest = {
  readonly kind: 'verified';
  readonly code: RadiusRequestCode;
  readonly packet: RadiusPacket;
  /** To be copied, unmodified and in order, into the reply (RFC 2865 §5.33). */
  readonly proxyStates: readonly Buffer[];
};

const REQUEST_CODES: readonly RadiusCode[] = ['Access-Request', 'Accounting-Request', 'Status-Server'];
const isRequestCode = (code: RadiusCode): code is RadiusRequestCode => REQUEST_CODES.includes(code);

const MESSAGE_AUTHENTICATOR = attributeNumber('Message-Authenticator');
const PROXY_STATE = attributeNumber('Proxy-State');
const USER_PASSWORD = attributeNumber('User-Password');
const CHAP_PASSWORD = attributeNumber('CHAP-Password');
const EAP_MESSAGE = attributeNumber('EAP-Message');

const ofType = (packet: RadiusPacket, type: number): RadiusRawAttribute[] =>
  packet.attributes.filter((a) => a.type === type);

/** Two User-Names (or States…) invite one component to read the first and another the last. */
function hasDuplicateSingleton(packet: RadiusPacket): boolean {
  const seen = new Set<number>();
  for (const { type } of packet.attributes) {
    if (type === MESSAGE_AUTHENTICATOR || !specOfNumber(type)?.once) continue;
    if (seen.has(type)) return true;
    seen.add(type);
  }
  return false;
}

/**
 * Accounting-Request has no random authenticator, so its Message-Authenticator (optional there) is
 * computed with 16 zero octets in the authenticator field, as its Request Authenticator is; FreeRADIUS
 * signs and checks it the same way.
 */
function checkMessageAuthenticator(
  packet: RadiusPacket,
  code: RadiusRequestCode,
  secret: Buffer,
): RadiusDrop | null {
  const found = ofType(packet, MESSAGE_AUTHENTICATOR);
  if (found.length === 0) {
    return code === 'Accounting-Request' ? null : radiusDrop('missing_message_authenticator');
  }
  const [attribute] = found;
  if (found.length > 1 || attribute === undefined) return radiusDrop('bad_message_authenticator');
  const field = code === 'Accounting-Request' ? ZERO_AUTHENTICATOR : packet.authenticator;
  const expected = computeMessageAuthenticator(packet.bytes, attribute.offset + 2, field, secret);
  return digestsEqual(expected, attribute.value) ? null : radiusDrop('bad_message_authenticator');
}

function checkAccountingAuthenticator(packet: RadiusPacket, secret: Buffer): RadiusDrop | null {
  const expected = computeAccountingRequestAuthenticator(packet.bytes, secret);
  return digestsEqual(expected, packet.authenticator) ? null : radiusDrop('bad_request_authenticator');
}

/**
 * An EAP conversation with a password beside it is ambiguous about which one authenticated the user
 * (FreeRADIUS refuses it too); User-Password must have its RFC 2865 §5.2 shape.
 */
function checkAccessRequest(packet: RadiusPacket): RadiusDrop | null {
  const password = ofType(packet, USER_PASSWORD)[0];
  if (password && !validUserPasswordSize(password.value.length)) return radiusDrop('bad_user_password');
  const eap = ofType(packet, EAP_MESSAGE).length > 0;
  const chap = ofType(packet, CHAP_PASSWORD).length > 0;
  return eap && (password || chap) ? radiusDrop('mixed_authentication') : null;
}

/**
 * Verifies a request from a client whose secret is known. Cheap structural checks come first, then the
 * digests, then rules about the content, so that a sender without the secret is counted as such.
 */
export function verifyRequest(packet: RadiusPacket, secret: Buffer): VerifiedRequest | RadiusDrop {
  const { code } = packet;
  if (!isRequestCode(code)) return radiusDrop('not_a_request');
  const proxyStates = ofType(packet, PROXY_STATE).map((a) => a.value);
  if (proxyStates.length > RADIUS_MAX_PROXY_STATES) return radiusDrop('too_many_proxy_state');
  if (hasDuplicateSingleton(packet)) return radiusDrop('duplicate_attribute');
  const failure =
    checkMessageAuthenticator(packet, code, secret) ??
    (code === 'Accounting-Request' ? checkAccountingAuthenticator(packet, secret) : null) ??
    (code === 'Access-Request' ? checkAccessRequest(packet) : null);
  return failure ?? { kind: 'verified', code, packet, proxyStates };
}
