// Calls client SDK: SFrame media keys (RFC 9605) from the chat group's MLS epochs.
export * from './sframe.js';
export * from './sframe-keyring.js';
export * from './mls-sframe.js';
