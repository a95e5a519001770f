/**
 * The RADIUS attributes this server reads or writes (RFC 2865 §5, RFC 2866 §5, RFC 2869 §5, RFC 3579 §3),
 * with the value kind that fixes their size on the wire. Everything else is carried as opaque bytes.
 */

/**
 * - `text`, `octets`: 0…253 bytes (`text` is UTF-8, RFC 2865 §5);
 * - `integer`, `time`, `ipv4`: exactly 4 bytes;
 * - `password`: User-Password, 16…128 bytes in steps of 16 (RFC 2865 §5.2), checked by `verifyRequest`;
 * - `chap`: CHAP-Password, read only to refuse mixing it with EAP;
 * - `authenticator`: Message-Authenticator, exactly 16 bytes (RFC 3579 §3.2);
 * - `vsa`: Vendor-Specific, a 4-byte Vendor-Id then at least one byte (RFC 2865 §5.26).
 */
export type RadiusValueKind =
  'text' | 'octets' | 'integer' | 'time' | 'ipv4' | 'password' | 'chap' | 'authenticator' | 'vsa';

type AttributeSpec = {
  readonly number: number;
  readonly kind: RadiusValueKind;
  /** At most one per request (the "0-1" rows of RFC 2865 §5.44 and RFC 2866 §5.13). */
  readonly once: boolean;
};

export const RADIUS_ATTRIBUTES = {
  'User-Name': { number: 1, kind: 'text', once: true },
  'User-Password': { number: 2, kind: 'password', once: true },
  'CHAP-Password': { number: 3, kind: 'chap', once: true },
  'NAS-IP-Address': { number: 4, kind: 'ipv4', once: true },
  'NAS-Port': { number: 5, kind: 'integer', once: true },
  'Service-Type': { number: 6, kind: 'integer', once: true },
  'Framed-IP-Address': { number: 8, kind: 'ipv4', once: true },
  'Framed-MTU': { number: 12, kind: 'integer', once: true },
  'Reply-Message': { number: 18, kind: 'text', once: false },
  State: { number: 24, kind: 'octets', once: true },
  Class: { number: 25, kind: 'octets', once: false },
  'Vendor-Specific': { number: 26, kind: 'vsa', once: false },
  'Session-Timeout': { number: 27, kind: 'integer', once: true },
  'Called-Station-Id': { number: 30, kind: 'text', once: true },
  'Calling-Station-Id': { number: 31, kind: 'text', once: true },
  'NAS-Identifier': { number: 32, kind: 'text', once: true },
  'Proxy-State': { number: 33, kind: 'octets', once: false },
  'Acct-Status-Type': { number: 40, kind: 'integer', once: true },
  'Acct-Delay-Time': { number: 41, kind: 'integer', once: true },
  'Acct-Input-Octets': { number: 42, kind: 'integer', once: true },
  'Acct-Output-Octets': { number: 43, kind: 'integer', once: true },
  'Acct-Session-Id': { number: 44, kind: 'text', once: true },
  'Acct-Session-Time': { number: 46, kind: 'integer', once: true },
  'Acct-Terminate-Cause': { number: 49, kind: 'integer', once: true },
  'Acct-Input-Gigawords': { number: 52, kind: 'integer', once: true },
  'Acct-Output-Gigawords': { number: 53, kind: 'integer', once: true },
  'Event-Timestamp': { number: 55, kind: 'time', once: true },
  'EAP-Message': { number: 79, kind: 'octets', once: false },
  'Message-Authenticator': { number: 80, kind: 'authenticator', once: true },
  'Acct-Interim-Interval': { number: 85, kind: 'integer', once: true },
} as const satisfies Record<string, AttributeSpec>;

export type RadiusAttributeName = keyof typeof RADIUS_ATTRIBUTES;

/** The attribute names whose value is of one of the kinds K. */
export type AttributeNameOfKind<K extends RadiusValueKind> = {
  [N in RadiusAttributeName]: (typeof RADIUS_ATTRIBUTES)[N]['kind'] extends K ? N : never;
}[RadiusAttributeName];

export const attributeNumber = (name: RadiusAttributeName): number => RADIUS_ATTRIBUTES[name].number;

const SPEC_BY_NUMBER = new Map<number, AttributeSpec>(
  Object.values(RADIUS_ATTRIBUTES).map((spec) => [spec.number, spec]),
);

export const specOfNumber = (number: number): AttributeSpec | undefined => SPEC_BY_NUMBER.get(number);

/** Attribute values never exceed 253 bytes: the Length octet counts the 2-byte header (RFC 2865 §5). */
export const RADIUS_MAX_VALUE_BYTES = 253;

/**
 * Whether a value of this size can be of this kind. Fixed-width values of the wrong size cannot be
 * interpreted at all, so the packet is refused rather than guessed at. User-Password's 16-byte steps are
 * left to `verifyRequest` so that decoding stays a pure framing check.
 */
export function sizeFits(kind: RadiusValueKind, size: number): boolean {
  switch (kind) {
    case 'integer':
    case 'time':
    case 'ipv4':
      return size === 4;
    case 'authenticator':
      return size === 16;
    case 'vsa':
      return size >= 5;
    case 'text':
    case 'octets':
    case 'password':
    case 'chap':
      return true;
  }
}
