// Public face of the secure-chat domain: the only module other packages may import.
export { secureChatDomain } from './secure-chat.domain.js';
export { SecureChatModule } from './secure-chat.module.js';
export { loadSecureChatConfig, type SecureChatConfig } from './secure-chat.config.js';
export { SECURE_CHAT_ERROR_STATUS, type SecureChatErrorCode } from './secure-chat.errors.js';
// Revocation (the lead): DeliveryService.removeDevice stops delivery to a device and names its groups.
export { DeliveryService } from './delivery/delivery.service.js';
// The chat WebSocket: the server hands it the 'upgrade' requests of its listeners.
export { ChatSocketServer, CHAT_WS_PATH } from './ws/chat-socket.server.js';
export type { BlobStore, BlobRange, AppendLimits } from './files/blob-store.js';
export { CHUNK_ROUTES } from './files/files-routes.js';
export { UPLOAD_MEDIA_TYPE } from './files/files-rules.js';
