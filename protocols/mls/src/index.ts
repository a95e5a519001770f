// Public face of the MLS glue: what secure-chat's delivery service and the client SDK (lab) share.
export { CHAT_CIPHERSUITE, CHAT_CIPHERSUITE_ID, chatSuite } from './suite.js';
export { MLS_LIMITS, MlsInputError, type MlsInputErrorCode } from './errors.js';
export { readMessage, type MessageFacts, type MessageSender } from './message.js';
export { readCommitAdds, type CommitAdds } from './commit-adds.js';
export { readKeyPackage, LAST_RESORT_EXTENSION, type KeyPackageFacts } from './key-package.js';
export { readGroupInfo, type GroupFacts, type GroupMember } from './group-info.js';
export { readWelcome } from './welcome.js';
export { checkCommit, type CheckedCommit } from './commit-check.js';
export { certificatePublicPoint } from './credential.js';
export {
  externalRemove,
  externalSenderCredential,
  externalSenderExtension,
  newExternalSenderKey,
  EXTERNAL_SENDER_IDENTITY,
  type ExternalSenderKey,
  type ExternalSenderSigner,
} from './external-sender.js';
