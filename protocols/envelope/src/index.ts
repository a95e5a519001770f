// Public face of the sealed-data envelope (see envelope.ts).
export * from './envelope.js';
