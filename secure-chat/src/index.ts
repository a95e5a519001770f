// Public face of the secure-chat domain: the only module other packages may import.
export { secureChatDomain } from './secure-chat.domain.js';
export { SecureChatModule } from './secure-chat.module.js';
