// Secure chat client SDK: a pure core (ChatCore) and its driver (ChatClient) over docs/secure-chat.md.
export { ChatCore, type ChatDevice } from './chat-core.js';
export { ChatClient, type ChatClientOptions } from './chat-client.js';
export { ChatHttpError } from './chat-http.js';
export { forgetGroup, type LeaveReply } from './chat-leave.js';
export {
  CallSignalError,
  ChatCalls,
  callRoutes,
  type CallJoin,
  type CallKind,
  type CallSignal,
  type CallSignalType,
} from './chat-calls.js';
export { chatAuthenticationService, identityOf, type ChatTrust, type DeviceIdentity } from './chat-auth.js';
export {
  ChatContentError,
  decodeContent,
  encodeContent,
  newMessageId,
  type ChatBody,
  type ChatContent,
  type ChatFileRef,
} from './chat-content.js';
export { ChatHistory, type HistoryEntry } from './chat-history.js';
export type { ChatSnapshot } from './chat-snapshot.js';
export {
  ChatCoreError,
  type ChatCommit,
  type ChatEnvelope,
  type ChatEvent,
  type IgnoredReason,
} from './chat-types.js';
export { chatRoutes, type QueueItem, type ServerFrame } from './chat-wire.js';
export { deviceKeyFromPem, certificateDerFromPem, type DeviceSigningKey } from './device-key.js';
export {
  createDesktopKey,
  desktopCsr,
  dpopBoundToken,
  dpopFetch,
  type DesktopIdentity,
} from './desktop-device.js';
export { MemoryDeliveryService, testDeviceCa, testExternalSender } from './chat-fixtures.js';
export { ChatBot, enrolBot, type BotCredentials, type ChatBotOptions } from './bot.js';
