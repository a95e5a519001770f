// Public face `@pakawaaz/hardened-os/tuf`: TUF 1.0 metadata and the offline signing ceremony, without Nest or a
// database — for the CLI's `pakawaaz os tuf …` commands on an air-gapped machine.
export {
  addSignatures,
  CeremonyError,
  keygen,
  newRoot,
  nextRoot,
  readMetadata,
  readPublicKey,
  readSigningKey,
  signTargetsFromExport,
  writeMetadata,
  type PublicKeyFile,
} from './ceremony.js';
export { canonicalJson } from './canonical-json.js';
export { diffTargets, reviewTargets, verifiedCurrent, type TargetsDiff } from './targets-review.js';
export {
  generateSigningKey,
  keyIdOf,
  localSigner,
  type TufPublicKey,
  type TufSigner,
  type TufSigningKey,
} from './tuf-keys.js';
export {
  parseMetadata,
  serializeMetadata,
  TufMetadataError,
  verifyRootRotation,
  verifyThreshold,
  type Envelope,
} from './tuf-metadata.js';
export { ROLES, SPEC_VERSION, type TufRole } from './tuf-metadata.schema.js';
export type { RoleKeys } from './tuf-repository.js';
export { DEMO_KEY_DIR, DEMO_ROOT_FIELD, demoKeys } from './demo-keys.js';
export { signMetadata, tufDate } from './tuf-metadata.js';
export { buildRoot, buildTargets, publishOnline } from './tuf-repository.js';
