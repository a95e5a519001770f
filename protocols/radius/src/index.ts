// Public face of @pakawaaz/radius: the only module other packages may import.
export {
  RADIUS_HEADER_BYTES,
  RADIUS_MAX_PACKET_BYTES,
  RADIUS_MAX_ATTRIBUTES,
  RADIUS_CODES,
  RADIUS_DROP_REASONS,
  decodeRadius,
  radiusDrop,
  type RadiusCode,
  type RadiusDropReason,
  type RadiusDrop,
  type RadiusRawAttribute,
  type RadiusPacket,
} from './radius-packet.js';
export {
  RADIUS_MAX_PROXY_STATES,
  verifyRequest,
  type RadiusRequestCode,
  type VerifiedRequest,
} from './radius-verify.js';
export {
  encodeReply,
  encodeRequest,
  type RadiusReplyCode,
  type EncodeReplyInput,
  type EncodeRequestInput,
} from './radius-encode.js';
export {
  encodeAttribute,
  type RadiusAttribute,
  type AttributeEncodingContext,
} from './radius-encode-attributes.js';
export {
  attributeValues,
  attributeBytes,
  attributeText,
  attributeInteger,
  attributeIpv4,
  eapMessage,
  vendorAttributes,
  readAccessRequest,
  readAccountingRequest,
  type VendorAttribute,
  type AccessRequestAttributes,
  type AcctStatusType,
  type AccountingRequestAttributes,
} from './radius-attributes.js';
export {
  ZERO_AUTHENTICATOR,
  USER_PASSWORD_MAX_BYTES,
  computeMessageAuthenticator,
  computeAccountingRequestAuthenticator,
  computeResponseAuthenticator,
  digestsEqual,
  hideUserPassword,
  revealUserPassword,
  validUserPasswordSize,
} from './radius-crypto.js';
export {
  MICROSOFT_VENDOR_ID,
  MPPE_VENDOR_TYPES,
  MPPE_MAX_KEY_BYTES,
  encryptMppeKey,
  decryptMppeKey,
  mppeSalt,
  mppeKeysFromMsk,
  type MppeKeyType,
  type MppeInput,
} from './radius-mppe.js';
export {
  RADIUS_ATTRIBUTES,
  RADIUS_MAX_VALUE_BYTES,
  attributeNumber,
  specOfNumber,
  sizeFits,
  type RadiusValueKind,
  type RadiusAttributeName,
  type AttributeNameOfKind,
} from './radius-dictionary.js';
