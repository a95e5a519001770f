import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import {
  computeAccountingRequestAuthenticator,
  computeMessageAuthenticator,
  computeResponseAuthenticator,
  ZERO_AUTHENTICATOR,
} from './radius-crypto.js';
import { attributeNumber } from './radius-dictionary.js';
import {
  encodeAttribute,
  type AttributeEncodingContext,
  type RadiusAttribute,
} from './radius-encode-attributes.js';
import {
  RADIUS_CODES,
  RADIUS_HEADER_BYTES,
  RADIUS_MAX_PACKET_BYTES,
  type RadiusCode,
} from './radius-packet.js';
import type { RadiusRequestCode } from './radius-verify.js';

/**
 * Packet encoders. Every packet leads with its Message-Authenticator. Blast-RADIUS (CVE-2024-3596) forges
 * a reply by an MD5 chosen-prefix collision, which needs every byte before the attacker's collision blocks
 * (echoed back in Proxy-State) to be predictable; an HMAC over the whole packet placed first is not.
 * Errors here are programming errors and throw.
 */

export type RadiusReplyCode = Extract<
  RadiusCode,
  'Access-Accept' | 'Access-Reject' | 'Access-Challenge' | 'Accounting-Response'
>;

type Common = {
  readonly identifier: number;
  readonly secret: Buffer;
  readonly attributes: readonly RadiusAttribute[];
  /** For MPPE salts and request authenticators; crypto.randomBytes unless a test fixes it. */
  readonly randomBytes?: (size: number) => Buffer;
};

export type EncodeReplyInput = Common & {
  readonly code: RadiusReplyCode;
  readonly requestAuthenticator: Buffer;
  /** The request answered; defaults to Accounting-Request for Accounting-Response, else Access-Request. */
  readonly requestCode?: RadiusRequestCode;
};

export type EncodeRequestInput = Common & {
  readonly code: RadiusRequestCode;
  /** Access-Request and Status-Server: 16 random bytes unless given; Accounting-Request computes its own. */
  readonly authenticator?: Buffer;
  /** Only tests of the server's refusal set this to false. */
  readonly messageAuthenticator?: boolean;
};

const MA_TYPE = attributeNumber('Message-Authenticator');
/** Message-Authenticator first: its 16-byte value starts 2 bytes after the header. */
const MA_VALUE_OFFSET = RADIUS_HEADER_BYTES + 2;
const maPlaceholder = (): Buffer => Buffer.concat([Buffer.from([MA_TYPE, 18]), ZERO_AUTHENTICATOR]);

function checkCommon(input: Common, authenticator: Buffer): void {
  const { identifier, secret } = input;
  if (!Number.isInteger(identifier) || identifier < 0 || identifier > 255) {
    throw new Error('RADIUS identifier must be 0…255');
  }
  if (authenticator.length !== 16) throw new Error('RADIUS authenticators are 16 bytes');
  // RFC 2865 §3: "The secret … MUST NOT be empty."
  if (secret.length === 0) throw new Error('the RADIUS shared secret must not be empty');
}

function assemble(code: RadiusCode, identifier: number, authenticator: Buffer, parts: Buffer[]): Buffer {
  const length = RADIUS_HEADER_BYTES + parts.reduce((sum, part) => sum + part.length, 0);
  if (length > RADIUS_MAX_PACKET_BYTES) throw new Error(`RADIUS packet of ${length} bytes exceeds 4096`);
  const header = Buffer.alloc(4);
  header[0] = RADIUS_CODES[code];
  header[1] = identifier;
  header.writeUInt16BE(length, 2);
  return Buffer.concat([header, authenticator, ...parts]);
}

function encodeAll(input: Common, requestAuthenticator: Buffer): Buffer[] {
  const context: AttributeEncodingContext = {
    secret: input.secret,
    requestAuthenticator,
    randomBytes: input.randomBytes ?? cryptoRandomBytes,
    salts: new Set(),
  };
  return input.attributes.flatMap((attribute) => encodeAttribute(attribute, context));
}

/**
 * FreeRADIUS keys an Accounting-Response's Message-Authenticator with 16 zero octets, as the
 * Accounting-Request's; the replies to Access-Request and Status-Server use the Request Authenticator
 * (RFC 3579 §3.2, RFC 5997). radclient verifies exactly this (see radius-server.spec.ts).
 */
function replyMaField(input: EncodeReplyInput): Buffer {
  const answers =
    input.requestCode ?? (input.code === 'Accounting-Response' ? 'Accounting-Request' : 'Access-Request');
  if (answers === 'Accounting-Request' && input.code !== 'Accounting-Response') {
    throw new Error('an Accounting-Request is answered by an Accounting-Response');
  }
  return answers === 'Accounting-Request' ? ZERO_AUTHENTICATOR : input.requestAuthenticator;
}

/**
 * Encodes a reply: Message-Authenticator first (keyed as `replyMaField` says), then the Response
 * Authenticator over the finished packet (RFC 2865 §3). Long EAP-Message and
 * Reply-Message values are split into 253-byte attributes; Proxy-State must be among `attributes`.
 */
export function encodeReply(input: EncodeReplyInput): Buffer {
  const { requestAuthenticator, secret } = input;
  checkCommon(input, requestAuthenticator);
  const maField = replyMaField(input);
  const parts = [maPlaceholder(), ...encodeAll(input, requestAuthenticator)];
  const bytes = assemble(input.code, input.identifier, requestAuthenticator, parts);
  computeMessageAuthenticator(bytes, MA_VALUE_OFFSET, maField, secret).copy(bytes, MA_VALUE_OFFSET);
  computeResponseAuthenticator(bytes, requestAuthenticator, secret).copy(bytes, 4);
  return bytes;
}

/** Encodes a request the way a NAS does (the lab's side and tests), Message-Authenticator first. */
export function encodeRequest(input: EncodeRequestInput): Buffer {
  const random = input.randomBytes ?? cryptoRandomBytes;
  const accounting = input.code === 'Accounting-Request';
  const authenticator = accounting ? ZERO_AUTHENTICATOR : (input.authenticator ?? random(16));
  checkCommon(input, authenticator);
  const withMa = input.messageAuthenticator ?? true;
  const parts = [...(withMa ? [maPlaceholder()] : []), ...encodeAll(input, authenticator)];
  const bytes = assemble(input.code, input.identifier, authenticator, parts);
  if (withMa) {
    computeMessageAuthenticator(bytes, MA_VALUE_OFFSET, authenticator, input.secret).copy(
      bytes,
      MA_VALUE_OFFSET,
    );
  }
  if (accounting) computeAccountingRequestAuthenticator(bytes, input.secret).copy(bytes, 4);
  return bytes;
}
