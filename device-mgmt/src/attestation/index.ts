// Public face `@pakawaaz/device-mgmt/attestation`: the pure Android Key Attestation verifier (no Nest, no
// database), for the enrolment service, the offline CLI (`pakawaaz attestation inspect`) and lab's handsets.
export {
  readAttestationChain,
  judgeAttestation,
  verifyAttestation,
  type CertificateSummary,
  type NotChecked,
  type ReadChain,
  type Verdict,
  type VerifyOptions,
} from './attestation.js';
export {
  attestationFacts,
  type AttestationFacts,
  type KeyOrigin,
  type SecurityLevel,
  type VerifiedBootState,
} from './key-description.js';
export { ATTESTATION_LIMITS, AttestationInputError, type AttestationInputCode } from './limits.js';
export { guardDer } from './der-guard.js';
export { certificatesFromPem } from './pem.js';
export {
  HARDENED_OS_RELEASES,
  LAB_VERIFIED_BOOT_KEY,
  patchMonth,
  policyRefusals,
  type AttestationPolicy,
  type AttestationReason,
  type HardenedOsReleases,
  type Refusal,
} from './policy.js';
export {
  googleAttestationRoots,
  parseRevocationList,
  RevocationListError,
  serialKey,
  spkiSha256,
  trustRootsFromPem,
  type RevocationList,
  type RevocationStatus,
  type TrustAnchor,
  type TrustRoots,
} from './trust.js';
export {
  inspectAttestationCommand,
  InspectArgumentError,
  policyFromArgs,
  type InspectArgs,
  type InspectOutput,
} from './inspect.js';
