// Public face of the secure-chat domain: the only module other packages may import.
export { secureChatDomain } from './secure-chat.domain.js';
export { SecureChatModule } from './secure-chat.module.js';
export { loadSecureChatConfig, type SecureChatConfig } from './secure-chat.config.js';
export { SECURE_CHAT_ERROR_STATUS, type SecureChatErrorCode } from './secure-chat.errors.js';
export { FILES_ERROR_STATUS } from './files/files.errors.js';
export { CALLS_ERROR_STATUS, type CallsErrorCode } from './calls/calls.errors.js';
export { BOTS_ERROR_STATUS } from './bots/bots.errors.js';
export { DeliveryService } from './delivery/delivery.service.js';
// Revocation is membership: a device leaves its groups (the server proposes its Remove).
export { DeviceRemovalService } from './membership/device-removal.service.js';
// The chat WebSocket: the server hands it the 'upgrade' requests of its listeners.
export { ChatSocketServer, CHAT_WS_PATH } from './ws/chat-socket.server.js';
export type { BlobStore, BlobRange, AppendLimits } from './files/blob-store.js';
export { CHUNK_ROUTES } from './files/files-routes.js';
export { CHAT_BODY_LIMITS } from './chat-limits.js';
export { UPLOAD_MEDIA_TYPE } from './files/files-rules.js';
