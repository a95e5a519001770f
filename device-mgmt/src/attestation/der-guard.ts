import { ATTESTATION_LIMITS, AttestationInputError } from './limits.js';

/*
 * A pre-scan of DER before asn1js sees it: definite lengths that stay inside their parent, bounded tag and
 * length encodings, nesting depth, OID length and node count. asn1js also looks for DER encapsulated in
 * BIT STRINGs (and the schemas decode OCTET STRINGs such as the extension value), so the scan does too:
 * encapsulated content that is itself well-formed DER counts towards depth and nodes; content that is not
 * is opaque bytes (a signature is random data) and a cap it seemed to trip is ignored.
 */

type Limits = Pick<
  typeof ATTESTATION_LIMITS,
  'maxDepth' | 'maxOidBytes' | 'maxNodes' | 'maxTagBytes' | 'maxLengthBytes'
>;

type Scan = { nodes: number; limits: Limits };
type Outcome = { wellFormed: true; violation?: AttestationInputError } | { wellFormed: false; why: string };

const malformed = (why: string): Outcome => ({ wellFormed: false, why });

function walk(b: Uint8Array, start: number, end: number, depth: number, s: Scan): Outcome {
  let violation: AttestationInputError | undefined;
  const note = (v: AttestationInputError) => (violation ??= v);
  let p = start;
  while (p < end) {
    const first = b[p++]!;
    let tag = first & 0x1f;
    if (tag === 0x1f) {
      tag = 0;
      for (let n = 1; ; n++) {
        if (p >= end) return malformed('a tag runs past the end of its value');
        if (n > s.limits.maxTagBytes) return malformed('a tag number is too long');
        const c = b[p++]!;
        tag = tag * 128 + (c & 0x7f);
        if ((c & 0x80) === 0) break;
      }
    }
    if (p >= end) return malformed('a length is missing');
    let len = b[p++]!;
    if (len === 0x80) return malformed('an indefinite length (DER needs definite lengths)');
    if (len & 0x80) {
      const k = len & 0x7f;
      if (k > s.limits.maxLengthBytes || p + k > end) return malformed('a length field is too long');
      len = 0;
      for (let i = 0; i < k; i++) len = len * 256 + b[p++]!;
    }
    if (len > end - p) return malformed('a value runs past the end of its parent');
    if (++s.nodes > s.limits.maxNodes)
      note(new AttestationInputError('ASN1_TOO_COMPLEX', `more than ${s.limits.maxNodes} ASN.1 values`));
    const universal = (first & 0xc0) === 0;
    if (first & 0x20) {
      if (depth + 1 > s.limits.maxDepth) {
        note(new AttestationInputError('ASN1_TOO_DEEP', `ASN.1 nested deeper than ${s.limits.maxDepth}`));
      } else {
        const inner = walk(b, p, p + len, depth + 1, s);
        if (!inner.wellFormed) return inner;
        if (inner.violation) note(inner.violation);
      }
    } else if (universal && tag === 6 && len > s.limits.maxOidBytes) {
      note(new AttestationInputError('OID_TOO_LONG', `an OID longer than ${s.limits.maxOidBytes} bytes`));
    } else if (universal && (tag === 3 || tag === 4) && len > 1) {
      const from = tag === 3 ? p + 1 : p;
      if (depth + 1 <= s.limits.maxDepth) {
        const nodes = s.nodes;
        const inner = walk(b, from, p + len, depth + 1, s);
        if (!inner.wellFormed) s.nodes = nodes;
        else if (inner.violation) note(inner.violation);
      }
    }
    p += len;
  }
  return violation ? { wellFormed: true, violation } : { wellFormed: true };
}

/**
 * Throws AttestationInputError unless `der` is exactly one well-formed DER value within the caps.
 * `what` names the input in the message ("certificate 2").
 */
export function guardDer(der: Uint8Array, what: string, limits: Limits = ATTESTATION_LIMITS): void {
  if (der.length === 0) throw new AttestationInputError('ASN1_MALFORMED', `${what} is empty`);
  const first = der[0]!;
  if ((first & 0x20) === 0) throw new AttestationInputError('ASN1_MALFORMED', `${what} is not a SEQUENCE`);
  const outcome = walk(der, 0, der.length, 0, { nodes: 0, limits });
  if (!outcome.wellFormed)
    throw new AttestationInputError('ASN1_MALFORMED', `${what} is not valid DER: ${outcome.why}`);
  if (outcome.violation)
    throw new AttestationInputError(outcome.violation.code, `${what}: ${outcome.violation.message}`);
  // Exactly one top-level value: trailing bytes are malformed.
  let p = 1;
  if ((first & 0x1f) === 0x1f) while (der[p++]! & 0x80);
  let len = der[p++]!;
  if (len & 0x80) {
    const k = len & 0x7f;
    len = 0;
    for (let i = 0; i < k; i++) len = len * 256 + der[p++]!;
  }
  if (p + len !== der.length)
    throw new AttestationInputError('ASN1_MALFORMED', `${what} has bytes after its end`);
}
