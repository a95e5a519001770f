import type { Certificate } from 'pkijs';
import { BoundedMemo, derHashes } from './cache.js';
import { chainRefusals } from './chain.js';
import { attestationFacts, type AttestationFacts } from './key-description.js';
import { deadline, type Deadline } from './limits.js';
import { certificatesFromPem, checkChainSize } from './pem.js';
import { policyRefusals, type AttestationPolicy, type AttestationReason, type Refusal } from './policy.js';
import { parseCertificate, serialKey, sha256Hex, type RevocationList, type TrustRoots } from './trust.js';

export type CertificateSummary = { serial: string; subject: string; notBefore: string; notAfter: string };

/** A chain read and its KeyDescription decoded, not yet judged. */
export type ReadChain = {
  certificates: Certificate[];
  summaries: CertificateSummary[];
  facts: AttestationFacts;
};

/** What a check could not look at because its input was not given (the CLI shows it; enrolment gives all). */
export type NotChecked = 'CHALLENGE' | 'REVOCATION' | 'PATCH_LEVEL' | 'APPLICATION_ID';

export type Verdict = {
  ok: boolean;
  /** Distinct reason codes, in the order the checks ran. */
  reasons: AttestationReason[];
  refusals: Refusal[];
  notChecked: NotChecked[];
};

export type VerifyOptions = {
  roots: TrustRoots;
  /** The point in time the chain must be valid at (now, or an earlier moment to re-check an old chain). */
  at: Date;
  /** The pending challenge (hex); null leaves it unchecked (inspection only). */
  challenge: string | null;
  revocations: RevocationList | null;
  policy: AttestationPolicy;
};

const parsed = new BoundedMemo<Certificate>();

const SHORT: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
};

function dn(cert: Certificate, which: 'subject' | 'issuer'): string {
  return cert[which].typesAndValues
    .map((tv) => {
      const v = tv.value.valueBlock as { value?: unknown };
      return `${SHORT[tv.type] ?? tv.type}=${typeof v.value === 'string' ? v.value : '?'}`;
    })
    .join(', ');
}

/** Reads a chain (PEM text or DER certificates, leaf first) within the caps; throws AttestationInputError. */
export function readAttestationChain(
  input: string | readonly Uint8Array[],
  clock: Deadline = deadline(),
): ReadChain {
  const ders = typeof input === 'string' ? certificatesFromPem(input) : [...input];
  checkChainSize(ders);
  const certificates = ders.map((der, i) => {
    // Above the leaf, a batch's certificates repeat from handset to handset: parsed once (same bytes).
    const what = `certificate ${i + 1}`;
    const hash = sha256Hex(der);
    const cert = i === 0 ? parseCertificate(der, what) : parsed.get(hash, () => parseCertificate(der, what));
    derHashes.set(cert, hash);
    clock.check('parsing');
    return cert;
  });
  const facts = attestationFacts(certificates[0]!);
  clock.check('KeyDescription');
  const summaries = certificates.map((c) => ({
    serial: serialKey(c),
    subject: dn(c, 'subject'),
    notBefore: c.notBefore.value.toISOString(),
    notAfter: c.notAfter.value.toISOString(),
  }));
  return { certificates, summaries, facts };
}

/** Judges a read chain against the roots, the revocation list, the challenge and the policy. */
export async function judgeAttestation(
  read: ReadChain,
  o: VerifyOptions,
  clock: Deadline = deadline(),
): Promise<Verdict> {
  const refusals = [
    ...(await chainRefusals(read.certificates, o.roots, o.at, o.revocations, clock)),
    ...policyRefusals(read.facts, o.policy, o.challenge),
  ];
  const notChecked: NotChecked[] = [];
  if (o.challenge === null) notChecked.push('CHALLENGE');
  if (o.revocations === null) notChecked.push('REVOCATION');
  if (o.policy.minimumPatchLevel === null) notChecked.push('PATCH_LEVEL');
  if (o.policy.application === null) notChecked.push('APPLICATION_ID');
  const reasons = [...new Set(refusals.map((r) => r.code))];
  return { ok: refusals.length === 0, reasons, refusals, notChecked };
}

/**
 * Reads and judges an attestation chain in one time budget. Unreadable input throws AttestationInputError
 * (a 400); a readable chain returns its facts and a verdict (refusals carry reason codes).
 */
export async function verifyAttestation(
  input: string | readonly Uint8Array[],
  o: VerifyOptions,
): Promise<ReadChain & { verdict: Verdict }> {
  const clock = deadline();
  const read = readAttestationChain(input, clock);
  return { ...read, verdict: await judgeAttestation(read, o, clock) };
}
