import { id_ce_keyDescription } from '@peculiar/asn1-android';
import { BasicConstraints, type Certificate } from 'pkijs';
import type { Refusal } from './policy.js';

const BASIC_CONSTRAINTS = '2.5.29.19';
const KEY_USAGE = '2.5.29.15';
/** keyCertSign is KeyUsage bit 5: 0x04 in the first byte of the BIT STRING (RFC 5280 §4.2.1.3). */
const KEY_CERT_SIGN = 0x04;

const extension = (cert: Certificate, oid: string) => cert.extensions?.find((e) => e.extnID === oid);

/** The certificate's basicConstraints if it says cA=TRUE, else null (absent, cA=FALSE, or unreadable). */
function caConstraints(cert: Certificate): { pathLen: number | null } | null {
  const bc = extension(cert, BASIC_CONSTRAINTS)?.parsedValue as unknown;
  if (!(bc instanceof BasicConstraints) || bc.cA !== true) return null;
  const p = bc.pathLenConstraint;
  if (p === undefined) return { pathLen: null };
  // An INTEGER too long for a number is a pathLen no chain of ours can exceed.
  return { pathLen: typeof p === 'number' ? p : Number.MAX_SAFE_INTEGER };
}

/** keyUsage absent (RFC 5280 allows it), or present with keyCertSign. */
function maySignCertificates(cert: Certificate): boolean {
  const ext = extension(cert, KEY_USAGE);
  if (!ext) return true;
  const bits = (ext.parsedValue as { valueBlock?: { valueHexView?: Uint8Array } } | undefined)?.valueBlock
    ?.valueHexView;
  return !!bits && bits.length > 0 && (bits[0]! & KEY_CERT_SIGN) !== 0;
}

const selfIssued = (cert: Certificate) => cert.subject.isEqual(cert.issuer);

/**
 * What only a certification authority may do in a chain (leaf first): every certificate above the leaf is a
 * CA (basicConstraints cA=TRUE and, if keyUsage is present, keyCertSign), each CA's pathLenConstraint holds
 * (RFC 5280 §6.1.4: no more non-self-issued intermediates below it than it allows), and only the leaf
 * carries the KeyDescription. Without this, a key the Keystore attested could sign a hand-made "leaf".
 */
export function caRefusals(chain: readonly Certificate[]): Refusal[] {
  const out: Refusal[] = [];
  chain.forEach((cert, i) => {
    const n = i + 1;
    if (i > 0 && extension(cert, id_ce_keyDescription))
      out.push({
        code: 'CHAIN_INVALID',
        message: `certificate ${n} carries an Android key attestation extension: only the first certificate may; an attested key signed the certificates below it, so their claims are its holder's, not the hardware's`,
      });
    if (i === 0) return;
    const ca = caConstraints(cert);
    if (!ca) {
      out.push({
        code: 'CHAIN_INVALID',
        message: `certificate ${n} is not a certification authority (no basicConstraints cA=TRUE), so it cannot vouch for certificate ${i}`,
      });
      return;
    }
    if (!maySignCertificates(cert))
      out.push({
        code: 'CHAIN_INVALID',
        message: `certificate ${n} is not allowed to sign certificates (its keyUsage lacks keyCertSign)`,
      });
    if (ca.pathLen !== null) {
      const below = chain.slice(1, i).filter((c) => !selfIssued(c)).length;
      if (below > ca.pathLen)
        out.push({
          code: 'CHAIN_INVALID',
          message: `certificate ${n} allows at most ${ca.pathLen} intermediate certificate(s) below it (pathLenConstraint) but the chain has ${below}`,
        });
    }
  });
  return out;
}
