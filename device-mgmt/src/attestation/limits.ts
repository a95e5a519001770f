/**
 * Caps on attestation input, checked before any ASN.1 parser sees a byte. Real chains are far below them:
 * a hardware chain is 3–5 certificates (remotely provisioned ones up to 5, with an attestation key 6) of
 * 0.5–2.5 KiB each, nested at most about 12 levels (the KeyDescription inside an extension inside a
 * certificate), with OIDs of at most 12 content bytes. Anything above is refused as malformed, never parsed.
 */
export const ATTESTATION_LIMITS = {
  /** PEM text of a whole chain (base64 grows DER by a third; headers and line breaks on top). */
  maxPemBytes: 96 * 1024,
  /** Certificates in one chain. */
  maxCertificates: 8,
  /** DER bytes of one certificate. */
  maxCertificateBytes: 16 * 1024,
  /** DER bytes of a whole chain. */
  maxChainBytes: 64 * 1024,
  /** Nesting of constructed ASN.1 values, counting encapsulated DER in OCTET and BIT STRINGs. */
  maxDepth: 24,
  /** Content bytes of one OBJECT IDENTIFIER. */
  maxOidBytes: 32,
  /** ASN.1 values in one certificate (a real attestation leaf has about 150). */
  maxNodes: 4_000,
  /** Bytes of a tag number in high-tag form (KeyDescription tags such as [709] take 2). */
  maxTagBytes: 3,
  /** Bytes of a long-form length (4 covers any certificate; larger is a lie or an attack). */
  maxLengthBytes: 3,
  /**
   * Wall-clock budget for parsing and verifying one chain: the last line after the size, depth and count caps
   * (which already bound the work to milliseconds). Generous, because wall-clock time on a busy node also
   * counts other threads' work: a tight budget refused genuine handsets under load.
   */
  timeBudgetMs: 5_000,
} as const;

/** Why an input could not be read at all (a 400 at the API, exit 1 in the CLI); stable codes. */
export type AttestationInputCode =
  | 'NOT_PEM'
  | 'CHAIN_EMPTY'
  | 'CHAIN_TOO_LARGE'
  | 'TOO_MANY_CERTIFICATES'
  | 'CERTIFICATE_TOO_LARGE'
  | 'ASN1_MALFORMED'
  | 'ASN1_TOO_DEEP'
  | 'ASN1_TOO_COMPLEX'
  | 'OID_TOO_LONG'
  | 'CERTIFICATE_MALFORMED'
  | 'NO_KEY_DESCRIPTION'
  | 'KEY_DESCRIPTION_MALFORMED'
  | 'TIME_BUDGET_EXCEEDED';

export class AttestationInputError extends Error {
  constructor(
    readonly code: AttestationInputCode,
    message: string,
  ) {
    super(message);
    this.name = 'AttestationInputError';
  }
}

/** A deadline for one chain: `check()` throws once the time budget is spent. */
export function deadline(budgetMs: number = ATTESTATION_LIMITS.timeBudgetMs, now = Date.now) {
  const end = now() + budgetMs;
  return {
    check(step: string): void {
      if (now() > end)
        throw new AttestationInputError(
          'TIME_BUDGET_EXCEEDED',
          `attestation took longer than ${budgetMs} ms (at ${step}); the chain is refused`,
        );
    },
  };
}
export type Deadline = ReturnType<typeof deadline>;
