/** What the delivery service accepts, checked on the bytes before anything is decoded. */
export const MLS_LIMITS = {
  /** An MLSMessage carrying a PublicMessage or PrivateMessage (a commit with an UpdatePath included). */
  maxMessageBytes: 256 * 1024,
  maxKeyPackageBytes: 16 * 1024,
  /** A GroupInfo carries the whole ratchet tree (the `ratchet_tree` extension): ~1 KiB a member. */
  maxGroupInfoBytes: 1024 * 1024,
  maxWelcomeBytes: 1024 * 1024,
  maxKeyPackagesPerUpload: 50,
  /**
   * Leaves of a group's ratchet tree (its nodes: twice that, less one). Checked on the decoded tree before it
   * is hashed: the cost of reading a GroupInfo is bounded by members, not by the bytes an attacker chooses.
   */
  maxGroupLeaves: 2048,
  /** The group id (RFC 9420 leaves its length open; the server keys groups by it). */
  maxGroupIdBytes: 64,
  /** Certificates in an X.509 credential, and the size of each (a device certificate and its CAs). */
  maxCredentialCertificates: 4,
  maxCertificateBytes: 8 * 1024,
} as const;

export type MlsInputErrorCode =
  /** Not the structure named, trailing bytes, or a field out of range. */
  | 'mls_malformed'
  /** Over one of MLS_LIMITS. */
  | 'mls_too_large'
  /** Another cipher suite, protocol version, wire format or credential type than secure chat uses. */
  | 'mls_unsupported'
  /** A signature that does not verify, or a signature key that is not the credential's. */
  | 'mls_bad_signature'
  /**
   * A commit and the next epoch's GroupInfo sent with it that do not agree (the GroupInfo's tree or context is
   * not what the commit's proposals and path make of the current epoch, or another member signed it).
   */
  | 'mls_commit_mismatch';

/** Bad MLS input: the code is stable (the API returns it), the message says what is wrong. */
export class MlsInputError extends Error {
  constructor(
    readonly code: MlsInputErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MlsInputError';
  }
}

export function checkSize(bytes: Uint8Array, max: number, what: string): void {
  if (bytes.length === 0) throw new MlsInputError('mls_malformed', `the ${what} is empty`);
  if (bytes.length > max)
    throw new MlsInputError(
      'mls_too_large',
      `the ${what} is ${bytes.length} bytes; at most ${max} are accepted`,
    );
}
