/** The codec's one error, with a stable code a caller can count or log without echoing peer data. */

/** One Ethernet MTU: EAPOL and RADIUS EAP-Message carriers never need more for EAP-AKA. */
export const EAP_MAX_PACKET_BYTES = 1500;

export type EapCodecErrorCode =
  | 'too_short'
  | 'too_long'
  | 'length_mismatch'
  | 'unknown_code'
  | 'unsupported_type'
  | 'unknown_subtype'
  | 'truncated_attribute'
  | 'zero_length_attribute'
  | 'bad_attribute_length'
  | 'bad_attribute_value'
  | 'unknown_attribute'
  | 'duplicate_attribute';

export class EapCodecError extends Error {
  override readonly name = 'EapCodecError';
  constructor(
    readonly code: EapCodecErrorCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

export const fail = (code: EapCodecErrorCode, detail: string): never => {
  throw new EapCodecError(code, detail);
};
