// Public face of the MLS glue: what secure-chat's delivery service and the client SDK (lab) share.
export { CHAT_CIPHERSUITE, CHAT_CIPHERSUITE_ID } from './suite.js';
