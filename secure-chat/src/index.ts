// Public face of the secure-chat domain: the only module other packages may import.
export { secureChatDomain } from './secure-chat.domain.js';
export { SecureChatModule } from './secure-chat.module.js';
export { loadSecureChatConfig, type SecureChatConfig } from './secure-chat.config.js';
export type { BlobStore, BlobRange, AppendLimits } from './files/blob-store.js';
export { CHUNK_ROUTES } from './files/files-routes.js';
export { UPLOAD_MEDIA_TYPE } from './files/files-rules.js';
