/** Why a v1 (JAR) signature does not verify. Stable codes, reported by inspectApk. */
export type V1ErrorCode =
  | 'v1_no_manifest'
  | 'v1_manifest_malformed'
  | 'v1_no_signatures'
  | 'v1_too_many_signers'
  | 'v1_block_malformed'
  | 'v1_unsupported_algorithm'
  | 'v1_signer_certificate'
  | 'v1_did_not_verify'
  | 'v1_stripped'
  | 'v1_manifest_digest'
  | 'v1_entry_not_in_manifest'
  | 'v1_entry_not_signed'
  | 'v1_entry_signers_mismatch'
  | 'v1_entry_digest'
  | 'v1_entry_unreadable';

export class V1Failure extends Error {
  constructor(readonly code: V1ErrorCode) {
    super(code);
  }
}
export const fail = (code: V1ErrorCode): never => {
  throw new V1Failure(code);
};
